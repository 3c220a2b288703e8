// Package value parses the values Vietnamese exports hold: counts, ratios and
// percentages, yes/no/unknown answers, dates (text and Excel serials), OCOP
// star ratings, reporting-period labels, lists, e-commerce platform names,
// listing states, dossier channels and online-service levels.
//
// Inputs are raw cell strings. From .xlsx they arrive raw, as written in the
// XML ("1234", "1234.5", "0.9792", "45291" for a date serial, "1.2E+3"); from
// CSV and text cells they arrive as people typed them, with Vietnamese
// conventions ("." groups thousands and "," marks decimals: "1.234" = 1234,
// "97,92%" = 0.9792). Every parser first normalises the text to NFC, turns
// non-breaking and other Unicode spaces into plain spaces, drops zero-width
// characters, collapses runs of spaces and trims, so NFD text and pasted
// web text parse like typed text. Keywords are matched case-insensitively and
// without diacritics ("Khong" = "Không", "DAT" = "Đạt").
//
// Decisions where the input is ambiguous (also in docs/datasets.md):
//
//   - Number separators. When both "." and "," appear, the last one is the
//     decimal mark and the other groups thousands ("1.234,5", "1,234.5"). One
//     separator kind repeated ("1.234.567") groups thousands. A single "." or
//     "," is a thousands separator for counts when exactly three digits follow
//     it and one to three digits (not starting with 0) precede it ("1.234",
//     "1,234" = 1234); otherwise it is a decimal mark ("1234.0" = 1234,
//     "12,5" is not a count). For ratios a single "." or "," is always a
//     decimal mark. Spaces may group thousands ("1 234").
//   - Float noise. Excel writes up to 17 significant digits for computed
//     cells ("0.79999999999999993"); like Excel's own display, fractional
//     values are rounded to 15 significant digits before use (integer digits
//     are never rounded).
//   - A lone dash ("-", "–", "—") means "nothing entered": it reads as blank
//     (ErrBlank, or Unknown for yes/no), never as zero or no.
//   - Ratios: a bare number greater than 1 without "%" is a percentage
//     ("70" = 70%), because exports often drop the sign; a bare number up to
//     1 is a fraction ("0.7", and "1" = 100%). "a/b" is also accepted.
//   - Two-digit years: 00–69 → 2000–2069, 70–99 → 1970–1999. Dates before 1950
//     or after 2100 are rejected (typos and wrong serials, not real data).
//   - Lists (CountList) are separated by ";", line breaks and bullet signs
//     (•, ●, ▪); commas do not separate, since item names contain them
//     ("Chuyển đổi số trong sản xuất, kinh doanh").
//
// Error messages are short Vietnamese sentences meant for row-reject reasons:
// they quote what was found and say what is accepted. Blank input returns
// ErrBlank (test with errors.Is) so callers can tell missing from bad.
package value
