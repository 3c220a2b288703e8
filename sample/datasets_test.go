package sample

import (
	"testing"

	"ntm"
	"ntm/dataset"
)

// Every dataset the criteria read has sample files in the demo (its declaration says which
// datasets the criteria read), so the end-to-end test exercises each of them.
func TestEveryCriteriaDatasetHasSamples(t *testing.T) {
	_, m := langSon(t)
	has := map[ntm.Dataset]bool{}
	for _, f := range m.Files {
		has[f.Dataset] = true
	}
	for _, d := range dataset.All {
		if d.Criteria && !has[d.Key] {
			t.Errorf("dataset %s (%s) is read by the criteria but the demo writes no file of it", d.Key, d.Label)
		}
	}
}
