package reports

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/wneessen/go-mail"

	"ntm"
	"ntm/db"
	"ntm/msg"
)

// TLS modes of an SMTP server.
const (
	TLSAuto     = ""         // by port: 465 → implicit TLS, any other → STARTTLS
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS (mandatory: never sent in clear)
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, port 465)
)

// SMTPConfig is the mail server workbooks are sent through. The lead wires it from the config file;
// Host "" means no e-mail (workbooks are only recorded as delivered into the output folder).
type SMTPConfig struct {
	Host     string
	Port     int    // 0 = 587 (465 with TLSImplicit)
	TLS      string // TLSAuto, TLSStartTLS or TLSImplicit
	Username string // "" = no authentication
	Password string
	From     string        // the sender, e.g. "Sở KH&CN Lạng Sơn <ntm@langson.gov.vn>"
	Timeout  time.Duration // per connection; 0 = 60 s
	// TLSConfig overrides the TLS settings (tests trust their own certificate); nil = the system roots.
	TLSConfig *tls.Config
}

// Delivery is one recorded delivery of a workbook to one destination.
type Delivery struct {
	ID            int64
	Recipient     string
	Channel       string // "folder" or "email"
	Address       string
	Period        string
	FilePath      string
	FileSHA256    string
	Outcome       string // "pending", "sent", "failed", "superseded"
	Error         string // the Vietnamese reason of the last failure, for the office
	Attempts      int
	CreatedAt     time.Time
	LastAttemptAt *time.Time
	SentAt        *time.Time
	// Cause is the English cause of a failure in this call, for the log only (never stored,
	// never shown): Error is its Vietnamese sentence.
	Cause error
}

// DeliveryReport says what one Deliver call did.
type DeliveryReport struct {
	Sent    int        // e-mails sent now
	Already int        // e-mails skipped because this workbook was already sent to that address
	Failed  int        // e-mails that failed now (recorded; retried by the next run)
	Retried int        // of Sent+Failed, those retrying an earlier failure
	Items   []Delivery // every e-mail destination handled, in the order tried
}

// Err summarises the failures of a delivery run as one error (nil when none failed).
func (r DeliveryReport) Err() error {
	if r.Failed == 0 {
		return nil
	}
	var parts []string
	var causes []error
	for _, d := range r.Items {
		if d.Outcome == "failed" {
			parts = append(parts, fmt.Sprintf("%s → %s: %s", filepath.Base(d.FilePath), d.Address, strings.TrimSuffix(d.Error, ".")))
			if d.Cause != nil {
				causes = append(causes, fmt.Errorf("%s to %s: %w", d.FilePath, d.Address, d.Cause))
			}
		}
	}
	return ntm.Wrap(ntm.CodeUnavailable, errors.Join(causes...), "Gửi thư thất bại %d/%d (sẽ gửi lại ở lần chạy sau): %s.",
		r.Failed, r.Failed+r.Sent, strings.Join(parts, "; "))
}

// ParseWorkbookPath reads the period and recipient code from a workbook path
// "<dir>/<period>/<code>-<slug>.xlsx".
func ParseWorkbookPath(path string) (ntm.Period, string, error) {
	base := filepath.Base(path)
	code, _, ok := strings.Cut(strings.TrimSuffix(base, ".xlsx"), "-")
	if !ok || code == "" || !strings.HasSuffix(base, ".xlsx") {
		return ntm.Period{}, "", fmt.Errorf("%s is not a report workbook name <period>/<code>-<name>.xlsx", path)
	}
	p, err := ntm.ParsePeriod(filepath.Base(filepath.Dir(path)))
	if err != nil {
		return ntm.Period{}, "", fmt.Errorf("%s is not in a <period> folder (YYYY-MM): %w", path, err)
	}
	return p, code, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Deliver records the workbooks (written by Write into the output folder) as delivered there, and
// e-mails each to its recipient's addresses (recipients: unit code → addresses). A workbook — the
// same recipient and the same file hash — is never sent twice to an address; Write makes a
// workbook's bytes a function of the data, so a nightly run over unchanged data sends nothing.
// Earlier failed e-mails are retried first, unless a newer workbook of the same recipient and period
// replaces them. A failed send is not an error: it is recorded and counted in the report (see
// DeliveryReport.Err); the error is for database and file failures.
func Deliver(ctx context.Context, pool *pgxpool.Pool, files []string, recipients map[string][]string, smtp SMTPConfig) (DeliveryReport, error) {
	var rep DeliveryReport
	type wb struct {
		path, code, sum string
		period          ntm.Period
	}
	var wbs []wb
	for _, path := range files {
		p, code, err := ParseWorkbookPath(path)
		if err != nil {
			return rep, err
		}
		sum, err := fileSHA256(path)
		if err != nil {
			return rep, fmt.Errorf("read the workbook %s for delivery: %w", path, err)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		wbs = append(wbs, wb{abs, code, sum, p})
	}
	// 1. Record every workbook: into its folder (always), and one pending row per e-mail address.
	//    A newer workbook of a recipient and period supersedes its older unsent ones.
	for _, w := range wbs {
		if _, err := pool.Exec(ctx, `
			INSERT INTO delivery (recipient, channel, address, period, file_path, file_sha256, outcome, attempts, last_attempt_at, sent_at)
			VALUES ($1, 'folder', $2, $3, $4, $5, 'sent', 1, now(), now())
			ON CONFLICT (recipient, address, file_sha256) DO NOTHING`,
			w.code, filepath.Dir(w.path), w.period.String(), w.path, w.sum); err != nil {
			return rep, fmt.Errorf("record the delivery of %s: %w", w.path, err)
		}
		if smtp.Host == "" {
			continue
		}
		for _, addr := range recipients[w.code] {
			addr = strings.TrimSpace(addr)
			if addr == "" {
				continue
			}
			if _, err := pool.Exec(ctx, `
				UPDATE delivery SET outcome = 'superseded'
				WHERE recipient = $1 AND address = $2 AND period = $3 AND file_sha256 <> $4 AND outcome IN ('pending', 'failed')`,
				w.code, addr, w.period.String(), w.sum); err != nil {
				return rep, fmt.Errorf("record the delivery of %s: %w", w.path, err)
			}
			if _, err := pool.Exec(ctx, `
				INSERT INTO delivery (recipient, channel, address, period, file_path, file_sha256, outcome)
				VALUES ($1, 'email', $2, $3, $4, $5, 'pending')
				ON CONFLICT (recipient, address, file_sha256) DO UPDATE SET file_path = EXCLUDED.file_path
				WHERE delivery.outcome <> 'sent'`,
				w.code, addr, w.period.String(), w.path, w.sum); err != nil {
				return rep, fmt.Errorf("record the delivery of %s: %w", w.path, err)
			}
		}
	}
	if smtp.Host == "" {
		return rep, nil
	}
	// 2. Send what is open: this run's workbooks and earlier failures, oldest first.
	open, err := queryDeliveries(ctx, pool, `WHERE channel = 'email' AND outcome IN ('pending', 'failed') ORDER BY created_at, id`)
	if err != nil {
		return rep, err
	}
	// Already sent: the workbooks of this call whose address had them before.
	for _, w := range wbs {
		sent, err := queryDeliveries(ctx, pool, `WHERE channel = 'email' AND outcome = 'sent' AND recipient = $1 AND file_sha256 = $2 ORDER BY id`, w.code, w.sum)
		if err != nil {
			return rep, err
		}
		for _, d := range sent {
			if containsAddr(recipients[w.code], d.Address) {
				rep.Already++
			}
		}
	}
	names := map[string]string{}
	for _, d := range open {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if !containsAddr(recipients[d.Recipient], d.Address) {
			// The address was removed from the configuration: stop retrying, and say why.
			if _, err := pool.Exec(ctx, `UPDATE delivery SET outcome = 'superseded', error = $2 WHERE id = $1 AND outcome <> 'sent'`,
				d.ID, "địa chỉ không còn trong danh sách nhận báo cáo"); err != nil {
				return rep, fmt.Errorf("record the delivery of %s: %w", d.FilePath, err)
			}
			continue
		}
		if _, ok := names[d.Recipient]; !ok {
			names[d.Recipient] = unitName(ctx, pool, d.Recipient)
		}
		got, err := sendOne(ctx, pool, d.ID, smtp, names[d.Recipient])
		if err != nil {
			return rep, err
		}
		if got == nil {
			continue // taken by another process meanwhile, or sent already
		}
		if d.Attempts > 0 {
			rep.Retried++
		}
		switch got.Outcome {
		case "sent":
			rep.Sent++
		case "failed":
			rep.Failed++
		}
		rep.Items = append(rep.Items, *got)
	}
	return rep, nil
}

func containsAddr(list []string, a string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), a) {
			return true
		}
	}
	return false
}

// unitName is a recipient's name for the e-mail, its code when the unit is unknown.
func unitName(ctx context.Context, q db.Querier, code string) string {
	var name string
	if err := q.QueryRow(ctx, `SELECT name FROM unit WHERE code = $1 ORDER BY valid_from DESC LIMIT 1`, code).Scan(&name); err != nil {
		return code
	}
	return name
}

// sendOne sends one open delivery inside a transaction that locks its row, so two processes never
// send the same workbook to the same address; it returns the updated row, nil when there was
// nothing to do.
func sendOne(ctx context.Context, pool *pgxpool.Pool, id int64, cfg SMTPConfig, name string) (*Delivery, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin a delivery: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	ds, err := queryDeliveries(ctx, tx, `WHERE id = $1 AND outcome IN ('pending', 'failed') FOR UPDATE SKIP LOCKED`, id)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	d := ds[0]
	outcome, msg := "sent", ""
	var cause error
	if sum, err := fileSHA256(d.FilePath); err != nil {
		cause = unreadable(d.FilePath, err)
		outcome, msg = "failed", ntm.ErrorMessage(cause)
	} else if sum != d.FileSHA256 {
		// The file was rewritten since: its new bytes are another workbook, delivered on their own.
		outcome, msg = "superseded", "tệp đã được lập lại với nội dung khác"
	} else if err := sendMail(ctx, cfg, d, name); err != nil {
		cause = err
		outcome, msg = "failed", ntm.ErrorMessage(err)
	}
	attempts := d.Attempts
	if outcome != "superseded" {
		attempts++
	}
	err = tx.QueryRow(ctx, `
		UPDATE delivery SET outcome = $2, error = $3, attempts = $4, last_attempt_at = now(),
		       sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
		WHERE id = $1 RETURNING last_attempt_at, sent_at`, d.ID, outcome, msg, attempts).Scan(&d.LastAttemptAt, &d.SentAt)
	if err != nil {
		return nil, fmt.Errorf("record the delivery of %s to %s: %w", d.FilePath, d.Address, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("record the delivery of %s to %s: %w", d.FilePath, d.Address, err)
	}
	d.Outcome, d.Error, d.Attempts = outcome, msg, attempts
	if e := (*ntm.Error)(nil); errors.As(cause, &e) {
		d.Cause = e.Err
	} else {
		d.Cause = cause
	}
	return &d, nil
}

// unreadable is a workbook that cannot be read to be sent (removed, moved, no permission): one
// Vietnamese sentence naming the file and what to do; the OS error is the cause, for the log.
func unreadable(path string, err error) *ntm.Error {
	return ntm.Wrap(ntm.CodeOperator, err, "Không đọc được tệp báo cáo %s để gửi: kiểm tra tệp còn trong thư mục báo cáo và ntm có quyền đọc, hoặc lập lại báo cáo (ntm report).", path)
}

// sendMail sends one workbook by e-mail, with TLS (never in clear).
func sendMail(ctx context.Context, cfg SMTPConfig, d Delivery, name string) error {
	p, err := ntm.ParsePeriod(d.Period)
	if err != nil {
		return err
	}
	m := mail.NewMsg()
	from := cfg.From
	if from == "" {
		from = "ntm@" + cfg.Host
	}
	if err := m.From(from); err != nil {
		return ntm.Wrap(ntm.CodeInvalid, err, "Địa chỉ người gửi %q không hợp lệ: sửa địa chỉ người gửi thư trong cấu hình ntm.", from)
	}
	if err := m.To(d.Address); err != nil {
		return ntm.Wrap(ntm.CodeInvalid, err, "Địa chỉ nhận %q không hợp lệ: sửa danh sách nhận báo cáo trong cấu hình ntm.", d.Address)
	}
	m.Subject(MailSubject(p, name))
	m.SetBodyString(mail.TypeTextPlain, MailBody(p, name, filepath.Base(d.FilePath)))
	m.SetDate()
	m.SetMessageID()
	f, err := os.Open(d.FilePath)
	if err != nil {
		return unreadable(d.FilePath, err)
	}
	defer f.Close()
	if err := m.AttachReader(filepath.Base(d.FilePath), f,
		mail.WithFileContentType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")); err != nil {
		return unreadable(d.FilePath, err)
	}

	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	opts := []mail.Option{mail.WithTimeout(timeout)}
	port := cfg.Port
	switch cfg.TLS {
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
		if port == 0 {
			port = 465
		}
	case TLSStartTLS, TLSAuto:
		if port == 0 {
			port = 587
		}
		if cfg.TLS == TLSAuto && port == 465 {
			opts = append(opts, mail.WithSSL())
		} else {
			opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
		}
	default:
		return ntm.Errorf(ntm.CodeInvalid, "Chế độ TLS %q của máy chủ thư không hợp lệ: dùng starttls hoặc tls trong cấu hình ntm.", cfg.TLS)
	}
	opts = append(opts, mail.WithPort(port))
	if cfg.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(cfg.TLSConfig))
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	c, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return ntm.Wrap(ntm.CodeInvalid, err, "Cấu hình máy chủ thư %s không dùng được: kiểm tra máy chủ, cổng và tài khoản trong cấu hình ntm.", cfg.Host)
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(sctx, m); err != nil {
		return ntm.Wrap(ntm.CodeUnavailable, err, "Máy chủ thư %s:%d không nhận thư: kiểm tra máy chủ đang chạy, cổng và chế độ TLS trong cấu hình ntm.", cfg.Host, port)
	}
	return nil
}

// MailSubject is the Vietnamese subject of a report e-mail.
func MailSubject(p ntm.Period, name string) string {
	return fmt.Sprintf("[NTM] Báo cáo thôn thông minh, tiêu chí 8 và chỉ tiêu 9.5 tháng %d/%d – %s", int(p.Month), p.Year, name)
}

// MailBody is the Vietnamese body of a report e-mail.
func MailBody(p ntm.Period, name, file string) string {
	return fmt.Sprintf(`Kính gửi %s,

Sở Khoa học và Công nghệ tỉnh Lạng Sơn (Phòng Chuyển đổi số) gửi kèm báo cáo kết quả đánh giá thôn thông minh, tiêu chí 8 (xã nông thôn mới kiểu mẫu) và chỉ tiêu 9.5 (huyện nông thôn mới nâng cao) tháng %d/%d, số liệu đến ngày %s.

Tệp đính kèm: %s
- Trang "Tổng hợp": các số liệu chính và tình hình theo xã.
- Trang "Thôn thông minh": từng thôn, 6 điều kiện và những gì còn thiếu.
- Trang "Chất lượng dữ liệu": số liệu còn thiếu, số liệu cũ và các dòng bị loại cần bổ sung.

Đề nghị đơn vị rà soát, bổ sung số liệu còn thiếu và gửi lại theo biểu mẫu (lệnh ntm template).

Thư này được gửi tự động; mỗi báo cáo chỉ được gửi một lần. Vui lòng không trả lời thư này.
`, name, int(p.Month), p.Year, p.End().Format("02/01/2006"), file)
}

const deliveryColumns = `id, recipient, channel, address, period, file_path, file_sha256, outcome, error, attempts,
	created_at, last_attempt_at, sent_at`

func queryDeliveries(ctx context.Context, q db.Querier, where string, args ...any) ([]Delivery, error) {
	rows, err := q.Query(ctx, `SELECT `+deliveryColumns+` FROM delivery `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read the deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
		var d Delivery
		err := r.Scan(&d.ID, &d.Recipient, &d.Channel, &d.Address, &d.Period, &d.FilePath, &d.FileSHA256, &d.Outcome,
			&d.Error, &d.Attempts, &d.CreatedAt, &d.LastAttemptAt, &d.SentAt)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the deliveries: %w", err)
	}
	return out, nil
}

// PendingDeliveries lists the e-mails not sent yet (pending, or failed and to be retried by the next
// run), oldest first: what the office and the console show as "chưa gửi được".
func PendingDeliveries(ctx context.Context, q db.Querier) ([]Delivery, error) {
	return queryDeliveries(ctx, q, `WHERE channel = 'email' AND outcome IN ('pending', 'failed') ORDER BY created_at, id`)
}

// DeliveryStatus lists every recorded delivery of a period (zero period = all), newest first.
func DeliveryStatus(ctx context.Context, q db.Querier, period ntm.Period) ([]Delivery, error) {
	if period.Year == 0 {
		return queryDeliveries(ctx, q, `ORDER BY created_at DESC, id DESC`)
	}
	return queryDeliveries(ctx, q, `WHERE period = $1 ORDER BY created_at DESC, id DESC`, period.String())
}

// Resend sends delivery id's workbook to its address again now (the office's "Gửi lại", ntm
// deliveries resend N): a failed e-mail is retried at once, a sent one is sent once more. The
// row is updated like any send (attempts, outcome, error). Refusals are *ntm.Error: an unknown
// delivery (CodeNotFound), a folder delivery, no mail server, or a workbook replaced by a newer
// one since (CodeConflict).
func Resend(ctx context.Context, pool *pgxpool.Pool, id int64, smtp SMTPConfig) (*Delivery, error) {
	ds, err := queryDeliveries(ctx, pool, `WHERE id = $1`, id)
	if err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	if len(ds) == 0 {
		return nil, ntm.Errorf(ntm.CodeNotFound, "%s", msg.DeliveryNotFound(id))
	}
	d := ds[0]
	switch {
	case d.Channel != "email":
		return nil, ntm.Errorf(ntm.CodeConflict, "Lần gửi số %d là bản lưu vào thư mục báo cáo (%s), không phải thư: không có gì để gửi lại.", id, d.Address)
	case smtp.Host == "":
		return nil, ntm.Errorf(ntm.CodeConflict, "%s", msg.NoEmail)
	case d.Outcome == "superseded":
		return nil, ntm.Errorf(ntm.CodeConflict, "Báo cáo của lần gửi số %d đã được thay bằng bản mới hơn (%s); hãy gửi lại bản mới.", id, d.Error)
	}
	if _, err := pool.Exec(ctx, `UPDATE delivery SET outcome = 'pending' WHERE id = $1 AND outcome IN ('sent', 'failed')`, id); err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	got, err := sendOne(ctx, pool, id, smtp, unitName(ctx, pool, d.Recipient))
	if err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	if got == nil {
		return nil, ntm.Errorf(ntm.CodeConflict, "Lần gửi số %d đang được gửi bởi một tiến trình khác; hãy xem lại sau ít phút.", id)
	}
	return got, nil
}

// GetDelivery returns one recorded delivery (an *ntm.Error of CodeNotFound when there is none).
func GetDelivery(ctx context.Context, q db.Querier, id int64) (*Delivery, error) {
	ds, err := queryDeliveries(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	if len(ds) == 0 {
		return nil, ntm.Errorf(ntm.CodeNotFound, "%s", msg.DeliveryNotFound(id))
	}
	return &ds[0], nil
}

// OutcomeLabel is the Vietnamese word for a delivery's outcome.
func (d Delivery) OutcomeLabel() string {
	switch d.Outcome {
	case "sent":
		if d.Channel == "folder" {
			return "Đã lưu vào thư mục"
		}
		return "Đã gửi"
	case "pending":
		return "Chờ gửi"
	case "failed":
		return "Gửi không được"
	case "superseded":
		return "Đã có bản mới hơn"
	}
	return d.Outcome
}
