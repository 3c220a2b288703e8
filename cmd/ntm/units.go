package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/msg"
	"ntm/transform"
	"ntm/units"
	"ntm/vnfmt"
)

const unitsSynopsis = "ntm units import FILE [--valid-from D] [--add] [--close-villages] | ntm units list [--date D] [--villages] | " +
	"ntm units successors [--from D] | ntm units successors add|remove OLD NEW --from D [--partial]: the administrative structure over time"

func runUnits(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "usage: %s\n", unitsSynopsis)
		if len(args) == 0 {
			return usagef("name a subcommand: import, list or successors")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "import":
		return runUnitsImport(ctx, e, args[1:])
	case "list":
		return runUnitsList(ctx, e, args[1:])
	case "successors":
		if len(args) > 1 {
			switch args[1] {
			case "add":
				return runSuccessorEdit(ctx, e, args[2:], true)
			case "remove":
				return runSuccessorEdit(ctx, e, args[2:], false)
			}
		}
		return runSuccessorList(ctx, e, args[1:])
	}
	return usagef("unknown subcommand %q: use import, list or successors", args[0])
}

// who names the person behind a command-line change, for the record.
func who() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "ntm"
}

func runUnitsImport(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var validFrom string
	var opts transform.UnitsOptions
	fs := newFlagSet(e, "units import", "ntm units import FILE [--valid-from D] [--add] [--close-villages]")
	d.register(fs)
	fs.StringVar(&validFrom, "valid-from", "", "the day the file's structure (or successor mapping) starts, for files without a valid_from column (dd/mm/yyyy or yyyy-mm-dd)")
	fs.BoolVar(&opts.Add, "add", false, "only add and update units: close nothing the file leaves out")
	fs.BoolVar(&opts.CloseVillages, "close-villages", false, "close the villages of the communes the file closes, when the file lists no villages")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name exactly one units FILE")
	}
	if validFrom != "" {
		t, err := parseDateFlag(validFrom)
		if err != nil {
			return err
		}
		opts.ValidFrom = t
	}
	opts.Who = who()
	opts.MaxFileSize = e.fileConfig().MaxFileSize
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	rep, err := transform.ImportUnits(ctx, pool, fs.Arg(0), opts)
	if err != nil {
		return err
	}
	printUnitsReport(e.stdout, rep)
	if rep.Rejected {
		return ntm.Errorf(ntm.CodeInvalid, "%s không được nhập, danh mục không thay đổi: %s", rep.File, rep.Message)
	}
	return nil
}

// printUnitsReport says what a units import did, in Vietnamese.
func printUnitsReport(w io.Writer, r transform.UnitsReport) {
	switch {
	case r.AlreadyLoaded:
		fmt.Fprintf(w, "%s: đã nhập trước đây (lô số %d); không có gì thay đổi.\n", r.File, r.BatchID)
		return
	case r.Rejected:
		fmt.Fprintf(w, "%s: BỊ TỪ CHỐI, không nhập gì: %s\n", r.File, r.Message)
		for i, rej := range r.Rejects {
			if i == 5 {
				fmt.Fprintf(w, "  … và %d dòng lỗi khác.\n", r.RowsRejected-5)
				break
			}
			fmt.Fprintf(w, "  %s\n", rej.String())
		}
		return
	case r.Links != nil:
		l := r.Links
		fmt.Fprintf(w, "%s: bảng chuyển đổi đơn vị cũ → mới từ %s, lô số %d: %d liên kết mới hoặc sửa, %d đã có.\n",
			r.File, vnfmt.Date(l.From), r.BatchID, l.Links, l.Unchanged)
		if l.Replaced > 0 {
			fmt.Fprintf(w, "  Bỏ %d liên kết cũ vào các đơn vị mới mà bảng không ghi.\n", l.Replaced)
		}
		printWithoutSuccessor(w, l.From, l.WithoutSuccessor, l.Abolished)
		return
	}
	s := r.Structure
	fmt.Fprintf(w, "%s: danh mục đơn vị từ %s, lô số %d (%d dòng).\n", r.File, vnfmt.Date(s.From), r.BatchID, r.RowsLoaded)
	for _, l := range ntm.Levels {
		var parts []string
		for _, c := range []struct {
			word string
			n    int
		}{{"mở", s.Opened[l]}, {"đóng", s.Closed[l]}, {"đổi tên", s.Renamed[l]}, {"chuyển cấp trên", s.Moved[l]}, {"sửa", s.Corrected[l]}} {
			if c.n > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", c.word, vnfmt.Int(int64(c.n))))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", l.Label(), strings.Join(parts, ", "))
		}
	}
	if !s.Changed() {
		fmt.Fprintln(w, "  Không có thay đổi: cơ cấu trong tệp giống cơ cấu đang có.")
	}
	if s.Links > 0 {
		fmt.Fprintf(w, "  Liên kết đơn vị kế tiếp đã ghi: %s\n", vnfmt.Int(int64(s.Links)))
	}
	if s.UnknownPrevious > 0 {
		fmt.Fprintf(w, "  Bỏ qua %d mã cũ chưa có trong danh mục (chưa nhập cơ cấu trước ngày %s).\n", s.UnknownPrevious, vnfmt.Date(s.From))
	}
	fmt.Fprintf(w, "  Có hiệu lực từ %s: %s\n", vnfmt.Date(s.From), units.CountText(s.InForce))
	printGroups(w, s)
	printWithoutSuccessor(w, s.From, s.WithoutSuccessor, s.Abolished)
}

// printGroups says what a structure import did to the commune groups.
func printGroups(w io.Writer, s *units.Result) {
	if g := s.Groups; g.Opened+g.Changed+g.Unchanged > 0 {
		fmt.Fprintf(w, "  %s\n", msg.GroupsStored(vnfmt.Date(s.From), g.Opened, g.Changed, g.Unchanged))
	}
	if n := s.Groups.Ended; n > 0 {
		fmt.Fprintf(w, "  Nhóm xã của %s xã đã đóng (hoặc có mã nay là của đơn vị khác) kết thúc ngày %s.\n",
			vnfmt.Int(int64(n)), vnfmt.Date(s.From.AddDate(0, 0, -1)))
	}
}

func printWithoutSuccessor(w io.Writer, from time.Time, vs []*units.Version, abolished map[ntm.Level]int) {
	for _, l := range ntm.Levels {
		if n := abolished[l]; n > 0 {
			fmt.Fprintf(w, "  Không còn cấp %s từ %s: %d %s đóng, không có đơn vị kế tiếp.\n", units.LevelWord(l), vnfmt.Date(from), n, units.LevelWord(l))
		}
	}
	if len(vs) == 0 {
		return
	}
	fmt.Fprintf(w, "  Đơn vị đóng từ %s chưa có đơn vị kế tiếp (%d): ", vnfmt.Date(from), len(vs))
	var ls []string
	for i, v := range vs {
		if i == 20 {
			ls = append(ls, fmt.Sprintf("… và %d đơn vị khác", len(vs)-20))
			break
		}
		ls = append(ls, v.Label())
	}
	fmt.Fprintf(w, "%s.\n  Nếu có, ghi bằng: ntm units successors add MÃ_CŨ MÃ_MỚI --from %s\n", strings.Join(ls, ", "), vnfmt.Date(from))
}

func runUnitsList(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var date string
	var villages bool
	fs := newFlagSet(e, "units list", "ntm units list [--date D] [--villages]")
	d.register(fs)
	fs.StringVar(&date, "date", "", "the day whose structure to list (default today)")
	fs.BoolVar(&villages, "villages", false, "list the villages too")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("units list takes no arguments")
	}
	on := today()
	if date != "" {
		t, err := parseDateFlag(date)
		if err != nil {
			return err
		}
		on = t
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	h, err := units.Load(ctx, pool, units.LoadOptions{NoVillages: !villages})
	if err != nil {
		return err
	}
	counts := h.Count(on)
	if !villages {
		full, err := units.Load(ctx, pool, units.LoadOptions{})
		if err != nil {
			return err
		}
		counts = full.Count(on)
	}
	fmt.Fprintf(e.stdout, "Cơ cấu đơn vị hành chính ngày %s: %s.\n", vnfmt.Date(on), units.CountText(counts))
	if len(counts) == 0 {
		fmt.Fprintln(e.stdout, "Chưa có đơn vị nào có hiệu lực ngày đó: nhập danh mục bằng ntm units import TỆP.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	var walk func(v *units.Version, depth int)
	walk = func(v *units.Version, depth int) {
		extra := ""
		if v.From.After(units.Beginning) || !v.To.IsZero() {
			extra = v.Period()
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", strings.Repeat("  ", depth), v.Code, v.Name, extra)
		for _, c := range h.Children(v.Code, on) {
			walk(c, depth+1)
		}
	}
	for _, p := range h.InForce(on, ntm.LevelProvince) {
		walk(p, 0)
	}
	return tw.Flush()
}

func today() time.Time {
	n := time.Now()
	return ntm.Date(n.Year(), n.Month(), n.Day())
}

func runSuccessorList(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var from string
	fs := newFlagSet(e, "units successors", "ntm units successors [--from D]")
	d.register(fs)
	fs.StringVar(&from, "from", "", "only links from this day on (dd/mm/yyyy or yyyy-mm-dd)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unknown successors subcommand %q: use add or remove, or no argument to list", fs.Arg(0))
	}
	var since time.Time
	if from != "" {
		t, err := parseDateFlag(from)
		if err != nil {
			return err
		}
		since = t
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	h, err := units.Load(ctx, pool, units.LoadOptions{})
	if err != nil {
		return err
	}
	ls := h.LinksFrom(since)
	// Continuations (a code renamed or moved) are many at village level and say little: count them.
	var shown []*units.Link
	continuations := 0
	for _, l := range ls {
		if l.Old == l.New && l.Source == units.SourceContinuation {
			continuations++
			continue
		}
		shown = append(shown, l)
	}
	fmt.Fprintf(e.stdout, "Liên kết đơn vị kế tiếp%s: %d (và %d đơn vị đổi tên hoặc chuyển cấp trên, giữ mã).\n", sinceText(since), len(shown), continuations)
	if len(shown) > 0 {
		tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "Từ ngày\tĐơn vị cũ\tĐơn vị mới\tLoại\tNguồn")
		for _, l := range shown {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", vnfmt.Date(l.From), linkEnd(l.OldVersion, l.Old), linkEnd(l.NewVersion, l.New), l.KindLabel(), linkSource(l))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, c := range h.Changes() {
		if !c.Before(since) {
			printWithoutSuccessor(e.stdout, c, h.ClosedWithoutSuccessor(c), nil)
		}
	}
	return nil
}

func sinceText(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return " từ ngày " + vnfmt.Date(d)
}

// linkEnd names one end of a link: the version, or the bare code when none is in force then.
func linkEnd(v *units.Version, code string) string {
	if v == nil {
		return code + " (không có hiệu lực ngày đó)"
	}
	return v.Label()
}

func linkSource(l *units.Link) string {
	s := units.SourceLabel(l.Source)
	if l.BatchID != 0 {
		s += fmt.Sprintf(", lô %d", l.BatchID)
	}
	if l.Source == units.SourceOffice && l.Who != "" {
		s += " (" + l.Who + ")"
	}
	if l.Note != "" && l.Source != units.SourceContinuation {
		s += ": " + l.Note
	}
	return s
}

func runSuccessorEdit(ctx context.Context, e *env, args []string, add bool) error {
	name, syn := "units successors remove", "ntm units successors remove OLD NEW --from D"
	if add {
		name, syn = "units successors add", "ntm units successors add OLD NEW --from D [--partial] [--note TEXT]"
	}
	var d dbFlags
	var from, note string
	var partial bool
	fs := newFlagSet(e, name, syn)
	d.register(fs)
	fs.StringVar(&from, "from", "", "the first day of the new unit (required)")
	if add {
		fs.BoolVar(&partial, "partial", false, "only part of the old unit went to the new one (a split)")
		fs.StringVar(&note, "note", "", "why (a resolution number, for example)")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("name the OLD and the NEW unit code: %s", syn)
	}
	if from == "" {
		return usagef("--from D is required: the first day of the new unit")
	}
	on, err := parseDateFlag(from)
	if err != nil {
		return err
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	old, nu := strings.TrimSpace(fs.Arg(0)), strings.TrimSpace(fs.Arg(1))
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if !add {
			if err := units.RemoveLink(ctx, tx, old, nu, on, who()); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Đã bỏ liên kết %s → %s từ %s.\n", old, nu, vnfmt.Date(on))
			return nil
		}
		l, err := units.AddLink(ctx, tx, old, nu, on, partial, who(), note)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã ghi: %s → %s từ %s (%s).\n", l.OldVersion.Label(), l.NewVersion.Label(), vnfmt.Date(on), l.KindLabel())
		return nil
	})
}
