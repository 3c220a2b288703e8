package evaluate

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"ntm"
)

// CSVHeader is the exact header of `ntm results --format csv` (docs/cli.md): the result's
// columns, then the criteria set the results were computed with (its key, version and file).
const CSVHeader = "period,unit_code,unit_name,level,criterion,status,value,threshold,criteria_set,criteria_set_version,criteria_set_file"

// BuiltinFile is what names the file of the set built into ntm in the results' output.
const BuiltinFile = "built-in"

// SetFileName is the file a set version came from, for output: BuiltinFile for the set built
// into ntm, "" when the version was imported before ntm kept file names.
func SetFileName(s *Set) string {
	if s.Builtin {
		return BuiltinFile
	}
	return s.File
}

// WriteCSV prints results as the CSV contract: the header, then one row per unit and
// criterion; status met/not_met/no_data; value and threshold as exact decimals with "."
// (truncated to six places), empty value when there is none or the status is no data; then
// set's key, version and file on every row (set is the one the evaluation used: SetOf).
func WriteCSV(w io.Writer, set *Set, rs []Result) error { return writeCSV(w, set, rs, false) }

// WriteCSVExplained is WriteCSV with one more, last column: "explanation", the result's
// Vietnamese explanation (ntm results --format csv --explain). Scripts reading the contract
// columns by position or name are unaffected; the header without the flag stays exactly CSVHeader.
func WriteCSVExplained(w io.Writer, set *Set, rs []Result) error { return writeCSV(w, set, rs, true) }

func writeCSV(w io.Writer, set *Set, rs []Result, explain bool) error {
	cw := csv.NewWriter(w)
	header := strings.Split(CSVHeader, ",")
	if explain {
		header = append(header, "explanation")
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	ref := setRefOf(set)
	for _, r := range rs {
		rec := []string{r.Period.String(), r.UnitCode, r.UnitName, string(r.Level), r.Criterion,
			string(r.Status), valueString(r.PrintedValue()), r.Threshold.String(), ref.Key, ref.Version, ref.File}
		if explain {
			rec = append(rec, r.Explanation)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// setRef is the set as the CSV and JSON outputs name it.
type setRef struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Version string `json:"version"`
	File    string `json:"file"`
}

func setRefOf(s *Set) setRef {
	if s == nil {
		return setRef{}
	}
	return setRef{Key: s.Key, Name: s.Name, Version: s.Version(), File: SetFileName(s)}
}

// PrintedValue is the value ntm results (and the console) show: none when the status is no data (docs/cli.md:
// "No data → empty value"), even where a composite or a province row keeps a partial count
// internally (conditions or units met so far; it stays in the explanation and detail).
func (r Result) PrintedValue() *Fraction {
	if r.Status == ntm.StatusNoData {
		return nil
	}
	return r.Value
}

func valueString(v *Fraction) string {
	if v == nil {
		return ""
	}
	return v.String()
}

// WriteTable prints results as an aligned table for people, in Vietnamese.
func WriteTable(w io.Writer, rs []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Kỳ\tMã\tĐơn vị\tCấp\tTiêu chí\tKết quả\tGiá trị\tNgưỡng\tGiải thích")
	for _, r := range rs {
		v := r.PrintedValue()
		val := valueString(v)
		if v != nil && v.Den > 1 {
			val += " (" + v.Percent() + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Period, r.UnitCode, clean(r.UnitName),
			r.Level.Label(), r.Criterion, r.Status.Label(), val, r.Threshold.String(), clean(r.Explanation))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// clean keeps tabs and line breaks in free text from breaking the table.
func clean(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

type jsonResult struct {
	Period       string         `json:"period"`
	UnitCode     string         `json:"unit_code"`
	UnitName     string         `json:"unit_name"`
	Level        string         `json:"level"`
	ParentCode   string         `json:"parent_code,omitempty"`
	DistrictCode string         `json:"district_code,omitempty"`
	Criterion    string         `json:"criterion"`
	Name         string         `json:"criterion_name,omitempty"`
	Status       string         `json:"status"`
	StatusLabel  string         `json:"status_label"`
	Value        *string        `json:"value"`
	ValueNum     *int64         `json:"value_num"`
	ValueDen     *int64         `json:"value_den"`
	Threshold    string         `json:"threshold"`
	Explanation  string         `json:"explanation"`
	Detail       map[string]any `json:"detail"`
	Set          *setRef        `json:"criteria_set"`
}

// WriteJSON prints results as a JSON array; value and threshold are exact decimal strings
// (as in the CSV), with the value's fraction alongside; a missing value is null. Each object
// names the criteria set (key, name, version, file) the evaluation used, set.
func WriteJSON(w io.Writer, set *Set, rs []Result) error {
	ref := setRefOf(set)
	out := make([]jsonResult, len(rs))
	for i, r := range rs {
		j := jsonResult{
			Period: r.Period.String(), UnitCode: r.UnitCode, UnitName: r.UnitName, Level: string(r.Level),
			ParentCode: r.ParentCode, DistrictCode: r.DistrictCode, Criterion: r.Criterion, Name: r.CriterionName,
			Status: string(r.Status), StatusLabel: r.Status.Label(), Threshold: r.Threshold.String(),
			Explanation: r.Explanation, Detail: r.Detail, Set: &ref,
		}
		if j.Detail == nil {
			j.Detail = map[string]any{}
		}
		if v := r.PrintedValue(); v != nil {
			s := v.String()
			num, den := v.Num, v.Den
			j.Value, j.ValueNum, j.ValueDen = &s, &num, &den
		}
		out[i] = j
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
