package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"ntm"
	"ntm/evaluate"
	"ntm/fold"
	"ntm/ingest"
	"ntm/msg"
	"ntm/vnfmt"
)

const criteriaSynopsis = "ntm criteria list | show KEY | export KEY | check FILE | import FILE | groups import FILE --valid-from D | groups list [--date D]: " +
	"criteria sets (YAML files the office writes) and commune groups"

// runCriteria dispatches the criteria subcommands.
func runCriteria(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stdout, "use: "+criteriaSynopsis)
		if len(args) == 0 {
			return usagef("name a subcommand: list, show, export, check, import or groups")
		}
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	if sub == "groups" {
		if len(rest) == 0 || (rest[0] != "import" && rest[0] != "list") {
			return usagef("use: ntm criteria groups import FILE --valid-from D | ntm criteria groups list [--date D]")
		}
		sub, rest = "groups "+rest[0], rest[1:]
	}
	var d dbFlags
	var validFrom, date string
	fs := newFlagSet(e, "criteria "+sub, criteriaSynopsis)
	d.register(fs)
	switch sub {
	case "groups import":
		fs.StringVar(&validFrom, "valid-from", "", "first day the groups hold, YYYY-MM-DD or dd/mm/yyyy (required)")
	case "groups list":
		fs.StringVar(&date, "date", "", "the groups in force on this day (default: today)")
	case "list", "show", "export", "check", "import":
	default:
		return usagef("unknown subcommand %q: use list, show, export, check, import or groups", sub)
	}
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	wantArgs := map[string]int{"list": 0, "groups list": 0}
	n, ok := wantArgs[sub]
	if !ok {
		n = 1
	}
	if fs.NArg() != n {
		if n == 0 {
			return usagef("ntm criteria %s takes no argument", sub)
		}
		what := "FILE"
		if sub == "show" || sub == "export" {
			what = "KEY"
		}
		return usagef("ntm criteria %s needs exactly one %s", sub, what)
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		sets, err := evaluate.Sets(ctx, pool)
		if err != nil {
			return err
		}
		today := ntm.PeriodOf(time.Now()).End()
		inForce, _ := evaluate.SetInForce(ctx, pool, today)
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Mã\tHiệu lực\tSố tiêu chí\tĐang áp dụng\tTên")
		for _, s := range sets {
			mark := ""
			if inForce != nil && inForce.Key == s.Key {
				mark = "✓"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", s.Key, s.Validity(), len(s.Criteria), mark, s.Name)
		}
		return tw.Flush()
	case "show":
		s, err := evaluate.LoadSet(ctx, pool, fs.Arg(0))
		if err != nil {
			return err
		}
		printSet(e, s)
		return nil
	case "export":
		b, err := evaluate.ExportSet(ctx, pool, fs.Arg(0))
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(b)
		return err
	case "check", "import":
		path := fs.Arg(0)
		b, err := os.ReadFile(path)
		if err != nil {
			return ntm.Wrap(ntm.CodeInvalid, err, "Không đọc được tệp bộ tiêu chí %s: kiểm tra đường dẫn", path)
		}
		name := filepath.Base(path)
		if sub == "check" {
			s, err := evaluate.CheckSet(ctx, pool, name, b)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: bộ tiêu chí %s hợp lệ (%d tiêu chí, hiệu lực %s); nạp bằng ntm criteria import %s\n", name, s.Key, len(s.Criteria), s.Validity(), path)
			return nil
		}
		s, status, err := evaluate.ImportSet(ctx, pool, name, b)
		if err != nil {
			return err
		}
		switch status {
		case evaluate.ImportNew:
			fmt.Fprintf(e.stdout, "Đã nạp bộ tiêu chí mới %s (%d tiêu chí, hiệu lực %s).\n", s.Key, len(s.Criteria), s.Validity())
		case evaluate.ImportReplaced:
			fmt.Fprintf(e.stdout, "Đã nạp phiên bản mới của bộ tiêu chí %s (%d tiêu chí, hiệu lực %s); các kết quả đã đánh giá giữ nguyên, chạy lại ntm evaluate để tính theo bộ mới.\n", s.Key, len(s.Criteria), s.Validity())
		default:
			fmt.Fprintf(e.stdout, "Bộ tiêu chí %s đã được nạp đúng như tệp này trước đây: không có gì thay đổi.\n", s.Key)
		}
		return nil
	case "groups import":
		if validFrom == "" {
			return usagef("--valid-from is required: the first day the commune groups hold")
		}
		from, err := parseDateFlag(validFrom)
		if err != nil {
			return err
		}
		rows, err := readGroupFile(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		rep, err := evaluate.ImportGroups(ctx, pool, filepath.Base(fs.Arg(0)), rows, from)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, msg.GroupsStored(vnfmt.Date(from), rep.Opened, rep.Changed, rep.Unchanged))
		return nil
	case "groups list":
		day := time.Now().UTC().Truncate(24 * time.Hour)
		if date != "" {
			if day, err = parseDateFlag(date); err != nil {
				return err
			}
		}
		gs, err := evaluate.ListGroups(ctx, pool, day)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Mã xã\tTên\tNhóm\tTừ ngày\tTệp")
		missing := 0
		for _, g := range gs {
			grp, from := "chưa xếp nhóm", ""
			if g.Group > 0 {
				grp, from = fmt.Sprint(g.Group), vnfmt.Date(g.ValidFrom)
			} else {
				missing++
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", g.CommuneCode, g.CommuneName, grp, from, g.Source)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d xã có hiệu lực ngày %s; %d xã chưa xếp nhóm.\n", len(gs), vnfmt.Date(day), missing)
		return nil
	}
	return nil
}

// printSet prints a set for people: its header, then each criterion with how it is decided.
func printSet(e *env, s *evaluate.Set) {
	fmt.Fprintf(e.stdout, "%s — %s\n", s.Key, s.Name)
	if len(s.Basis) > 0 {
		fmt.Fprintf(e.stdout, "Căn cứ: %s\n", s.BasisText())
	}
	// The version ntm results names (criteria_set_version): which file's bytes decide.
	fmt.Fprintf(e.stdout, "Phiên bản: %s (12 ký tự đầu của mã SHA-256 của tệp)\n", s.Version())
	window := map[string]string{"year": "từ 01/01", "quarter": "từ đầu quý", "month": "trong tháng"}[s.DossierWindow]
	locality := map[string]string{"commune": "của xã", "village": "của thôn"}[s.OCOPLocality]
	fmt.Fprintf(e.stdout, "Hiệu lực: %s; số liệu quá %d tháng là chưa có số liệu; sản phẩm OCOP %s; kỳ tính hồ sơ %s đến hết kỳ đánh giá.\n\n",
		s.Validity(), s.StaleMonths, locality, window)
	for _, c := range s.Criteria {
		kinds := ""
		if len(c.Kinds) > 0 {
			kinds = " (" + strings.Join(c.Kinds, ", ") + ")"
		}
		fmt.Fprintf(e.stdout, "%d. %s — %s\n   cấp %s%s, phép đo %s, ngưỡng %s\n   %s\n", c.Position, c.Key, c.Name,
			c.Level.Label(), kinds, c.Measure, c.ThresholdText(), c.HowText())
	}
}

// readGroupFile reads a two-column commune-group file (.csv or .xlsx): a commune code column
// (commune_code, Mã xã) and a group column (commune_group, Nhóm xã, Nhóm).
func readGroupFile(ctx context.Context, path string) ([]evaluate.GroupRow, error) {
	find := func(cols []string) (code, group int) {
		code, group = -1, -1
		for i, c := range cols {
			switch f := fold.Text(c); f {
			case "commune_code", "mã xã", "mã đơn vị", "ma xa":
				code = i
			case "commune_group", "nhóm xã", "nhóm", "nhom xa", "phân nhóm xã":
				group = i
			}
		}
		return code, group
	}
	score := func(cols []string) int {
		if c, g := find(cols); c >= 0 && g >= 0 {
			return 2
		}
		return 0
	}
	var out []evaluate.GroupRow
	codeCol, groupCol := -1, -1
	err := ingest.ReadFile(ctx, path, score, func(t *ingest.Table) error {
		if codeCol >= 0 {
			return ingest.ErrSkipSheet // the first sheet with a header is the list
		}
		codeCol, groupCol = find(t.Columns)
		return nil
	}, func(_ *ingest.Table, r ingest.Row) error {
		cell := func(i int) string {
			if i < len(r.Cells) {
				return strings.TrimSpace(r.Cells[i])
			}
			return ""
		}
		if cell(codeCol) == "" && cell(groupCol) == "" {
			return nil
		}
		out = append(out, evaluate.GroupRow{Row: r.Num, CommuneCode: cell(codeCol), Group: cell(groupCol)})
		return nil
	})
	if errors.Is(err, ingest.ErrNoHeader) {
		return nil, ntm.Wrap(ntm.CodeInvalid, err, "Tệp nhóm xã %s không có dòng tiêu đề với hai cột mã xã (commune_code, Mã xã) và nhóm xã (commune_group, Nhóm xã)", path)
	}
	if err != nil {
		return nil, ntm.Wrap(ntm.CodeInvalid, err, "Không đọc được tệp nhóm xã %s: kiểm tra đường dẫn và định dạng (.csv hoặc .xlsx)", path)
	}
	return out, nil
}
