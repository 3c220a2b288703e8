package reports

import (
	"github.com/xuri/excelize/v2"

	"ntm"
)

// Status fill colours: met green, not met red, no data grey (the legend on the summary says so).
const (
	fillMet    = "C6EFCE"
	fillNotMet = "FFC7CE"
	fillNoData = "D9D9D9"
	fillHeader = "DDEBF7"
	fillAmber  = "FFEB9C" // an expired OCOP product: shown, but not counted
)

// styles are the cell styles of one workbook.
type styles struct {
	title, subtitle, bold, section        int
	banners                               map[int]int // a one-cell row's style → its wrapped twin (long texts span the table)
	header, group                         int
	text, wrap, integer, percent, datetim int
	boldText, boldInt, boldPercent        int
	met, notMet, noData                   int
	date                                  int
	rowRed, rowRedInt, rowRedDate         int // a row that needs action (an unlisted OCOP product)
	rowAmber, rowAmberInt, rowAmberDate   int // a row that does not count (an expired product)
	rowRedWrap, rowAmberWrap              int // their long texts, wrapped
	trendUp, trendDown, trendFlat         int // the change of a key figure since the previous period

	groupRow                        int // a row naming the commune of the rows under it
	metWrap, notMetWrap, noDataWrap int // status colours on a wrapped value
	title2                          int // a sheet's title on one row that wraps (merged)

	headCenter, headCenterBold, headCenterItalic, headTitle, headLeftBoldItalic int // an administrative report's heading
	wrapPlain                                                                   int // wrapped text without a border
	boldWrap                                                                    int // a total's label, wrapped

	wraps map[int]bool     // the styles that wrap text (rows are given the height their text needs)
	fonts map[int]fontSpec // each style's font size and weight (row heights and text widths)
}

// font is the font of a style (the default font for style 0 or one not made here).
func (s *styles) font(style int) fontSpec {
	if f, ok := s.fonts[style]; ok {
		return f
	}
	return bodyFont
}

func newStyles(f *excelize.File) (*styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1},
		{Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1},
		{Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	top := &excelize.Alignment{Vertical: "top"}
	wrapTop := &excelize.Alignment{Vertical: "top", WrapText: true}
	pct := "0.0%"
	dt := "dd/mm/yyyy hh:mm"
	s := styles{fonts: map[int]fontSpec{}}
	var err error
	add := func(dst *int, st *excelize.Style) {
		if err != nil {
			return
		}
		if st.Font == nil {
			st.Font = &excelize.Font{}
		}
		if st.Font.Family == "" {
			st.Font.Family = reportFont
		}
		if st.Font.Size == 0 {
			st.Font.Size = bodyPt
		}
		*dst, err = f.NewStyle(st)
		if err == nil {
			s.fonts[*dst] = fontSpec{size: st.Font.Size, bold: st.Font.Bold}
		}
	}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	add(&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	add(&s.subtitle, &excelize.Style{Font: &excelize.Font{Italic: true}})
	add(&s.bold, &excelize.Style{Font: &excelize.Font{Bold: true}})
	add(&s.section, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E78"}})
	add(&s.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill(fillHeader), Border: border,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	add(&s.group, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill(fillHeader), Border: border,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	add(&s.text, &excelize.Style{Border: border, Alignment: top})
	add(&s.wrap, &excelize.Style{Border: border, Alignment: wrapTop})
	add(&s.integer, &excelize.Style{Border: border, Alignment: top, NumFmt: 3}) // #,##0
	add(&s.percent, &excelize.Style{Border: border, Alignment: top, CustomNumFmt: &pct})
	add(&s.datetim, &excelize.Style{Border: border, Alignment: top, CustomNumFmt: &dt})
	add(&s.boldText, &excelize.Style{Border: border, Alignment: top, Font: &excelize.Font{Bold: true}})
	add(&s.boldInt, &excelize.Style{Border: border, Alignment: top, NumFmt: 3, Font: &excelize.Font{Bold: true}})
	add(&s.boldPercent, &excelize.Style{Border: border, Alignment: top, CustomNumFmt: &pct, Font: &excelize.Font{Bold: true}})
	add(&s.met, &excelize.Style{Border: border, Alignment: top, Fill: fill(fillMet), Font: &excelize.Font{Color: "006100"}})
	add(&s.notMet, &excelize.Style{Border: border, Alignment: top, Fill: fill(fillNotMet), Font: &excelize.Font{Color: "9C0006"}})
	add(&s.noData, &excelize.Style{Border: border, Alignment: top, Fill: fill(fillNoData), Font: &excelize.Font{Color: "404040"}})
	dFmt := "dd/mm/yyyy"
	add(&s.date, &excelize.Style{Border: border, Alignment: top, CustomNumFmt: &dFmt})
	add(&s.rowRed, &excelize.Style{Border: border, Alignment: top, Fill: fill(fillNotMet)})
	add(&s.rowRedInt, &excelize.Style{Border: border, Alignment: top, Fill: fill(fillNotMet), NumFmt: 3})
	add(&s.rowRedDate, &excelize.Style{Border: border, Alignment: top, Fill: fill(fillNotMet), CustomNumFmt: &dFmt})
	add(&s.rowAmber, &excelize.Style{Border: border, Alignment: top, Fill: fill(fillAmber)})
	add(&s.rowAmberInt, &excelize.Style{Border: border, Alignment: top, Fill: fill(fillAmber), NumFmt: 3})
	add(&s.rowAmberDate, &excelize.Style{Border: border, Alignment: top, Fill: fill(fillAmber), CustomNumFmt: &dFmt})
	add(&s.rowRedWrap, &excelize.Style{Border: border, Alignment: wrapTop, Fill: fill(fillNotMet)})
	add(&s.rowAmberWrap, &excelize.Style{Border: border, Alignment: wrapTop, Fill: fill(fillAmber)})
	add(&s.trendUp, &excelize.Style{Border: border, Alignment: wrapTop, Font: &excelize.Font{Color: "006100"}})
	add(&s.trendDown, &excelize.Style{Border: border, Alignment: wrapTop, Font: &excelize.Font{Color: "9C0006"}})
	add(&s.trendFlat, &excelize.Style{Border: border, Alignment: wrapTop, Font: &excelize.Font{Color: "595959"}})
	add(&s.groupRow, &excelize.Style{Font: &excelize.Font{Bold: true, Color: "1F4E78"}, Fill: fill("EDF3FA"), Border: border,
		Alignment: &excelize.Alignment{Vertical: "center"}})
	add(&s.metWrap, &excelize.Style{Border: border, Alignment: wrapTop, Fill: fill(fillMet), Font: &excelize.Font{Color: "006100"}})
	add(&s.notMetWrap, &excelize.Style{Border: border, Alignment: wrapTop, Fill: fill(fillNotMet), Font: &excelize.Font{Color: "9C0006"}})
	add(&s.noDataWrap, &excelize.Style{Border: border, Alignment: wrapTop, Fill: fill(fillNoData), Font: &excelize.Font{Color: "404040"}})
	add(&s.title2, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	mid := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	add(&s.headCenter, &excelize.Style{Alignment: mid})
	add(&s.headCenterBold, &excelize.Style{Alignment: mid, Font: &excelize.Font{Bold: true}})
	add(&s.headCenterItalic, &excelize.Style{Alignment: mid, Font: &excelize.Font{Italic: true}})
	add(&s.headTitle, &excelize.Style{Alignment: mid, Font: &excelize.Font{Bold: true, Size: 14}})
	add(&s.headLeftBoldItalic, &excelize.Style{Font: &excelize.Font{Bold: true, Italic: true}})
	add(&s.wrapPlain, &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	add(&s.boldWrap, &excelize.Style{Border: border, Alignment: wrapTop, Font: &excelize.Font{Bold: true}})
	var subtitleWrap, boldWrapPlain int
	add(&subtitleWrap, &excelize.Style{Font: &excelize.Font{Italic: true}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	add(&boldWrapPlain, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	s.banners = map[int]int{0: s.wrapPlain, s.title: s.title2, s.subtitle: subtitleWrap, s.bold: boldWrapPlain}
	s.wraps = map[int]bool{s.boldWrap: true, s.wrap: true, s.header: true, s.group: true, s.metWrap: true, s.notMetWrap: true,
		s.noDataWrap: true, s.rowRedWrap: true, s.rowAmberWrap: true, s.trendUp: true, s.trendDown: true, s.trendFlat: true, s.wrapPlain: true, s.title2: true,
		subtitleWrap: true, boldWrapPlain: true}
	return &s, err
}

func (s *styles) status(st ntm.Status) int {
	switch st {
	case ntm.StatusMet:
		return s.met
	case ntm.StatusNotMet:
		return s.notMet
	}
	return s.noData
}

// statusWrap is the status colour of a cell whose text may wrap.
func (s *styles) statusWrap(st ntm.Status) int {
	switch st {
	case ntm.StatusMet:
		return s.metWrap
	case ntm.StatusNotMet:
		return s.notMetWrap
	}
	return s.noDataWrap
}
