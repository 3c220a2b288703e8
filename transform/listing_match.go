package transform

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"ntm/db"
)

// An OCOP listing counts only through the product it belongs to (ocop_current_listings in
// db/migrations/00006_ocop_current.sql): by product code when both have one, else by folded
// name with the same or no owner. A listing that matches no loaded product is stored and never
// counted, so a load flags it: the report's notes (and the batch's message) name the rows, and
// UnmatchedListings lists them at any time. It is not rejected: a nightly run may pull the
// listings before the products they belong to.

// productKeys are the products of every loaded OCOP product batch, for matching listings.
type productKeys struct {
	any    bool
	codes  map[string]bool
	owners map[string][]productOwner // folded name → the products of that name
}

type productOwner struct{ code, owner string }

func loadProductKeys(ctx context.Context, q db.Querier) (*productKeys, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT f.product_code, f.folded_name, f.folded_owner
		FROM fact_ocop_product f JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'`)
	if err != nil {
		return nil, fmt.Errorf("read the loaded OCOP products: %w", err)
	}
	defer rows.Close()
	k := &productKeys{codes: map[string]bool{}, owners: map[string][]productOwner{}}
	for rows.Next() {
		var code, name, owner string
		if err := rows.Scan(&code, &name, &owner); err != nil {
			return nil, fmt.Errorf("read the loaded OCOP products: %w", err)
		}
		k.any = true
		if code != "" {
			k.codes[code] = true
		}
		k.owners[name] = append(k.owners[name], productOwner{code, owner})
	}
	return k, rows.Err()
}

// matches reports whether a listing belongs to a loaded product, as ocop_current_listings
// matches them.
func (k *productKeys) matches(code, foldedName, foldedOwner string) bool {
	if code != "" && k.codes[code] {
		return true
	}
	for _, p := range k.owners[foldedName] {
		if (p.code == "" || code == "") && (foldedOwner == "" || foldedOwner == p.owner) {
			return true
		}
	}
	return false
}

// unmatchedNote is the report's note on the listings that match no product.
func unmatchedNote(n int, examples []string, anyProduct bool) string {
	more := ""
	if n > len(examples) {
		more = fmt.Sprintf(", và %d dòng khác", n-len(examples))
	}
	why := "kiểm tra mã sản phẩm, hoặc tên sản phẩm và chủ thể"
	if !anyProduct {
		why = "chưa có danh sách sản phẩm OCOP nào được nạp"
	}
	return fmt.Sprintf("%d dòng sàn TMĐT không khớp sản phẩm OCOP nào đã nạp nên chưa được tính (%s): %s%s; sau khi sửa hoặc nạp danh sách sản phẩm, nạp lại tệp này bằng ntm ingest --reload SỐ_LÔ",
		n, why, strings.Join(examples, "; "), more)
}

//go:embed sql/unmatched_listings.sql
var unmatchedListingsSQL string

// UnmatchedListing is an OCOP listing that counts for no product.
type UnmatchedListing struct {
	BatchID                  int64
	FileName, Sheet          string
	Row                      int
	ProductCode, ProductName string
	Platform                 string
}

// UnmatchedListings lists up to limit listings (≤ 0: 1000) of loaded batches that match no
// loaded product, for the data-quality views.
func UnmatchedListings(ctx context.Context, q db.Querier, limit int) ([]UnmatchedListing, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := q.Query(ctx, unmatchedListingsSQL, limit)
	if err != nil {
		return nil, fmt.Errorf("list unmatched OCOP listings: %w", err)
	}
	defer rows.Close()
	var out []UnmatchedListing
	for rows.Next() {
		var u UnmatchedListing
		if err := rows.Scan(&u.BatchID, &u.FileName, &u.Sheet, &u.Row, &u.ProductCode, &u.ProductName, &u.Platform); err != nil {
			return nil, fmt.Errorf("list unmatched OCOP listings: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
