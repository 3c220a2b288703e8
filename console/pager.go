package console

// pager is one page of a long list: which page, the rows it shows (From–To, 1-based), of how
// many, and the links to the pages before and after ("" at either end).
type pager struct {
	Page, Pages, From, To, Total int
	PrevURL, NextURL             string
}

// newPager pages total rows by per, on page asked (out of range: the nearest page; 0 = the
// last); link makes a page's URL.
func newPager(total, per, asked int, link func(page int) string) pager {
	p := pager{Total: total, Pages: max((total+per-1)/per, 1)}
	p.Page = asked
	if p.Page <= 0 || p.Page > p.Pages {
		p.Page = p.Pages
	}
	p.From, p.To = (p.Page-1)*per, min(p.Page*per, total)
	if p.Page > 1 {
		p.PrevURL = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.NextURL = link(p.Page + 1)
	}
	return p
}

// Paged tells whether the list needs more than one page.
func (p pager) Paged() bool { return p.Pages > 1 }

// First is the 1-based number of the page's first row (0 on an empty list).
func (p pager) First() int {
	if p.Total == 0 {
		return 0
	}
	return p.From + 1
}
