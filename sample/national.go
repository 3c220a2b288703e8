package sample

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"ntm"
	"ntm/fold"
)

// NationalOptions says where the national-scale sample goes.
type NationalOptions struct {
	Options
	// Units is the national unit list ("" for the embedded copy of
	// sample/data/vn_units_2024.csv: province, district and
	// commune codes, names and kinds).
	Units string
	// Villages is about how many villages are made up over the whole list (default 80,000 for the
	// whole country, in proportion to the communes for a shorter list).
	Villages int
	// Records is the row count of the national dossier-record export (default 1,000,000; 0 keeps
	// the default, a negative value writes none).
	Records int
	// Planned, when set, is told how many files the manifest will hold, once every province is
	// planned and before Written is called for the first file.
	Planned func(files int)
	// Written, when set, is called with each file as soon as it is on disk, in the manifest's
	// order (units first), so that a caller can load it while the next ones are made. An error
	// stops National, which returns it.
	Written func(File) error
}

// National writes a national-scale sample: for each of the 63 provinces the same kinds of export
// as the Lạng Sơn sample (units with made-up villages, vpostcode, a village survey, the OCOP
// product list, procedure and dossier reports), in a folder per province, with villages and OCOP
// products in proportion to each province's communes; and one record-level dossier export of
// Records rows over the receiving units of the whole country (an .xlsx with inline strings).
// Statuses are not designed per unit as in LangSon: this is data for volume, not for checking.
//
// Each province is planned from a seed of its own and each export from a random stream of its
// own, so the exports are built on every core at once (the record-level export beside them) and
// are the same bytes whatever the order: they are written in the manifest's order, the units of
// every province first, then each province's other exports, then the record-level export.
// Memory does not grow with the provinces: a province is planned when its exports come up (twice:
// for its units file, then for its other exports) and dropped after, and the workbooks built at
// once are bounded by their estimated size (writeNational).
func National(opts NationalOptions) (Manifest, error) {
	if err := opts.check(); err != nil {
		return Manifest{}, err
	}
	if opts.Records == 0 {
		opts.Records = 1000000
	}
	provinces, err := readNationalUnits(opts.Units)
	if err != nil {
		return Manifest{}, err
	}
	communes := 0
	for _, ul := range provinces {
		communes += len(ul.communes())
	}
	if opts.Villages <= 0 {
		// About 7.6 villages a commune, the country's ratio: 80,000 over the 10,472 communes of
		// the 2024 list, and in proportion for a shorter list.
		opts.Villages = communes * 80000 / 10472
	}
	// The record-level export takes one core for a while (one deflate stream): it starts first.
	var records *File
	recErr := make(chan error, 1)
	if opts.Records > 0 {
		path := filepath.Join(opts.Dir, "ho-so-dvc-toan-quoc.xlsx")
		records = &File{Path: path, Dataset: ntm.DatasetDVCDossierRecords,
			Description: fmt.Sprintf("Hồ sơ DVC cấp độ từng hồ sơ, toàn quốc: %d dòng", opts.Records), Period: opts.period()}
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return Manifest{}, fmt.Errorf("sample: cannot create %s: %w", opts.Dir, err)
		}
		units := nationalRecordUnits(provinces)
		go func() {
			_, err := WriteRecords(RecordsOptions{Path: path, Rows: opts.Records, Units: units, Year: opts.period().Year, Seed: opts.Seed})
			recErr <- err
		}()
	} else {
		recErr <- nil
	}
	man, err := writeNational(opts, provinces, communes, records != nil)
	if rerr := <-recErr; err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return Manifest{}, err
	}
	if records != nil {
		man.Files = append(man.Files, *records)
		if opts.Written != nil {
			if err := opts.Written(*records); err != nil {
				return Manifest{}, err
			}
		}
	}
	return man, nil
}

// nationalPlanner makes the plan of one province of a national sample when its exports come up:
// each province is planned from seeds of its own on a fresh copy of its unit list (a plan adds
// villages and products to its communes), so planning it again gives the same plan, and no plan
// needs to be kept from one pass over the provinces to the next.
type nationalPlanner struct {
	opts      NationalOptions
	provinces []*unitList
	communes  int
}

// plan plans province i and lists its exports in manifest order (its units CSV first); nil
// when the province has no communes.
func (np *nationalPlanner) plan(i int) (*plan, []*fileJob, error) {
	opts := np.opts
	ul := np.provinces[i].bare()
	n := len(ul.communes())
	if n == 0 {
		return nil, nil, nil
	}
	villages := opts.Villages * n / np.communes
	urban := 0
	for _, c := range ul.communes() {
		if c.Urban() {
			urban++
		}
	}
	urbanVillages := villages * urban / n
	p := &plan{units: ul, period: opts.period(), seed: opts.Seed + int64(i)}
	var codes []string
	for _, d := range ul.Districts {
		codes = append(codes, d.Code)
	}
	fa := p.freshAsOf()
	p.surveyFiles = []surveyFile{{Name: "khao-sat-thon-thong-minh.xlsx", Districts: codes, Format: "xlsx-title", AsOf: fa}}
	seed := opts.Seed + int64(i)*1000
	p.makeVillages(rng(seed, 1), urbanVillages, villages-urbanVillages)
	p.makeProducts(rng(seed, 2), n)
	p.makeProfiles(rng(seed, 3))
	p.plantVillageRejects(rng(seed, 4))
	design := make([]dvcDesign, len(ul.Districts))
	for j, d := range ul.Districts {
		design[j] = langSonDVCDesign[j%len(langSonDVCDesign)]
		design[j].Code = d.Code
		design[j].Records = ""
	}
	p.makeDVC(rng(seed, 5), design)
	jobs, err := p.jobs(filepath.Join(opts.Dir, ul.ProvinceCode+"-"+fold.Slug(ul.ProvinceName)))
	if err != nil {
		return nil, nil, err
	}
	if len(jobs) == 0 || jobs[0].file.Dataset != ntm.DatasetUnits {
		return nil, nil, fmt.Errorf("sample: province %s: its exports do not start with its units", ul.ProvinceCode)
	}
	return p, jobs, nil
}

// writeNational writes every province's exports in two passes over the provinces, units first
// (see National), with at most a few provinces' plans in memory at any time:
//
//   - the units pass plans each province (a worker a core), writes its units CSV and counts its
//     other exports, and drops the plan; then Planned is told the count and Written each units
//     file, in order (the loader needs every unit before the first fact);
//   - the exports pass plans each province again when its exports come up, in order, and hands
//     them to the workers a bounded number ahead of the one written next; a plan goes with its
//     province's last export written.
func writeNational(opts NationalOptions, provinces []*unitList, communes int, records bool) (Manifest, error) {
	var man Manifest
	written := func(f File) error {
		man.Files = append(man.Files, f)
		if opts.Written != nil {
			return opts.Written(f)
		}
		return nil
	}
	np := &nationalPlanner{opts: opts, provinces: provinces, communes: communes}
	workers := runtime.GOMAXPROCS(0)

	// The units pass.
	type province struct {
		units *File // nil: no communes
		rest  int   // the number of its other exports
		err   error
	}
	prov := make([]province, len(provinces))
	var (
		wg     sync.WaitGroup
		taken  atomic.Int64
		failed atomic.Bool
	)
	for range min(workers, len(provinces)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(taken.Add(1) - 1)
				if i >= len(provinces) || failed.Load() {
					return
				}
				pr := &prov[i]
				p, jobs, err := np.plan(i)
				if err == nil && p != nil {
					var b []byte
					if b, err = jobs[0].build(p.seed); err == nil {
						err = writeIfChanged(jobs[0].file.Path, b)
					}
					f := jobs[0].file // a copy: a pointer into the job would keep its plan
					pr.units, pr.rest = &f, len(jobs)-1
				}
				if err != nil {
					pr.err = err
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, pr := range prov {
		if pr.err != nil {
			return Manifest{}, pr.err
		}
		if pr.units != nil {
			total += 1 + pr.rest
		}
	}
	if opts.Planned != nil {
		n := total
		if records {
			n++
		}
		opts.Planned(n)
	}
	for _, pr := range prov {
		if pr.units == nil {
			continue
		}
		if err := written(*pr.units); err != nil {
			return Manifest{}, err
		}
	}

	// The exports pass: one worker a core builds them, a bounded number ahead of the one
	// written next (each holds its whole file until written); the feeder plans a province when
	// its first export is handed out.
	type built struct {
		job  *fileJob
		seed int64
		cost int64 // its build's estimated peak memory, in bytes
		data []byte
		err  error
		done chan struct{}
	}
	out := make([]built, total-len(man.Files))
	for i := range out {
		out[i].done = make(chan struct{})
	}
	ahead := make(chan struct{}, 4*workers)
	budget := newBuildBudget(nationalBuildBudget)
	next, quit := make(chan int), make(chan struct{})
	var feedErr error // a plan's failure when no export is left to carry it; read after fed
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		defer close(next)
		k := 0
		for i, pr := range prov {
			if pr.units == nil {
				continue
			}
			p, jobs, err := np.plan(i)
			if err == nil && len(jobs)-1 != pr.rest {
				err = fmt.Errorf("sample: province %s planned with %d exports, then %d", provinces[i].ProvinceCode, pr.rest, len(jobs)-1)
			}
			if err != nil { // told at its first export
				if k < len(out) {
					out[k].err = err
					close(out[k].done)
				} else {
					feedErr = err
				}
				return
			}
			sizes := p.buildSizes()
			for _, j := range jobs[1:] {
				select {
				case ahead <- struct{}{}:
				case <-quit:
					return
				}
				cost := sizes.cost(j.file.Dataset)
				if !budget.take(cost, quit) {
					return
				}
				out[k].job, out[k].seed, out[k].cost = j, p.seed, cost
				select {
				case next <- k:
				case <-quit:
					return
				}
				k++
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				out[k].data, out[k].err = out[k].job.build(out[k].seed)
				budget.give(out[k].cost)
				close(out[k].done)
			}
		}()
	}
	defer func() { // on an early return, the workers finish the job they hold and stop
		close(quit)
		wg.Wait()
	}()
	for k := range out {
		<-out[k].done
		if out[k].err != nil {
			return Manifest{}, out[k].err
		}
		f := out[k].job.file
		if err := writeIfChanged(f.Path, out[k].data); err != nil {
			return Manifest{}, err
		}
		out[k] = built{} // the plan goes with its province's last export
		<-ahead
		if err := written(f); err != nil {
			return Manifest{}, err
		}
	}
	<-fed
	if feedErr != nil {
		return Manifest{}, feedErr
	}
	return man, nil
}

// nationalBuildBudget bounds the memory the exports being built hold at once, by their
// estimates (buildSizes.cost): a workbook is built in excelize's cell structures whole before it
// is written, and Hà Nội's biggest take about 17 MB each, so two at once would set the writer's
// peak. An export estimated over the budget is built alone.
var nationalBuildBudget int64 = 20 << 20

// buildSizes are what a province's exports are built from: their rows.
type buildSizes struct{ villages, products, dvcUnits int64 }

func (p *plan) buildSizes() buildSizes {
	s := buildSizes{villages: int64(len(p.units.villages())), products: int64(len(p.products()))}
	for _, dd := range p.dvc {
		s.dvcUnits += int64(len(dd.Units))
	}
	return s
}

// cost estimates the peak memory of building a province's export of dataset ds, from the
// peaks measured on Hà Nội's (4,423 villages, 581 products, 609 public-service units) and Hà
// Giang's exports (heap in use with the collector at GOGC=5, less before): about 4 KB a
// village for the address and survey workbooks, 6 KB a product for the OCOP ones, 3 KB a unit
// for the procedures and 20 KB for the dossiers (every period's row of every unit).
func (s buildSizes) cost(ds ntm.Dataset) int64 {
	switch ds {
	case ntm.DatasetVpostcode, ntm.DatasetVillageSurvey:
		return s.villages * 4 << 10
	case ntm.DatasetOCOPProducts, ntm.DatasetOCOPListings:
		return s.products * 6 << 10
	case ntm.DatasetDVCProcedures:
		return s.dvcUnits * 3 << 10
	case ntm.DatasetDVCDossiers:
		return s.dvcUnits * 20 << 10
	}
	return 1 << 20
}

// buildBudget is a counting semaphore over estimated bytes: take waits until what is taken
// fits in the budget, or until nothing is taken (an export over the budget is built alone).
type buildBudget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	limit int64
	taken int64
}

func newBuildBudget(limit int64) *buildBudget {
	b := &buildBudget{limit: limit}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// take waits for n bytes of the budget; false when quit is closed first.
func (b *buildBudget) take(n int64, quit <-chan struct{}) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.taken > 0 && b.taken+n > b.limit {
		select {
		case <-quit:
			return false
		default:
		}
		b.cond.Wait()
	}
	b.taken += n
	return true
}

func (b *buildBudget) give(n int64) {
	b.mu.Lock()
	b.taken -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// recordUnits1 names a province's receiving units for the national record export: its districts
// and the communes whose names are unique in the province.
func recordUnits1(ul *unitList) []string {
	return recordUnits(ul)
}

// NationalRecordUnits lists the receiving units of the national record-level export (see
// LangSonRecordUnits), province by province, from the national unit list.
func NationalRecordUnits(unitsPath string) ([]string, error) {
	provinces, err := readNationalUnits(unitsPath)
	if err != nil {
		return nil, err
	}
	return nationalRecordUnits(provinces), nil
}

// nationalRecordUnits keeps the units whose bare name is unique in the whole country: a
// national export names units without their province, and "UBND huyện Châu Thành" could be any
// of several.
func nationalRecordUnits(provinces []*unitList) []string {
	count := map[string]int{}
	for _, ul := range provinces {
		for _, d := range ul.Districts {
			count[fold.Text(d.Bare())]++
			for _, c := range d.Communes {
				count[fold.Text(c.Bare())]++
			}
		}
	}
	var out []string
	for _, ul := range provinces {
		for _, u := range recordUnits1(ul) {
			name, _ := fold.UnitName(strings.TrimPrefix(u, "UBND "))
			if count[name] == 1 {
				out = append(out, u)
			}
		}
	}
	return out
}

// readNationalUnits reads the national list into one unitList per province, in file order.
// nationalUnitsCSV is Viet Nam's 2024 unit list (province, district and commune), embedded from
// sample/data/vn_units_2024.csv (sources in sample/data/SOURCES.md), so national samples need no file beside the binary.
//
//go:embed data/vn_units_2024.csv
var nationalUnitsCSV []byte

// readNationalUnits reads the national unit list at path, or the embedded one when path is "".
func readNationalUnits(path string) ([]*unitList, error) {
	var src io.Reader = bytes.NewReader(nationalUnitsCSV)
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("sample: national unit list: %w", err)
		}
		defer f.Close()
		src = f
	} else {
		path = "(embedded vn_units_2024.csv)"
	}
	r := csv.NewReader(src)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("sample: national unit list %s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, h := range []string{"province_code", "province_name", "district_code", "district_name", "district_kind", "commune_code", "commune_name", "commune_kind"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("sample: national unit list %s has no column %q", path, h)
		}
	}
	var out []*unitList
	byProvince := map[string]*unitList{}
	byDistrict := map[string]*district{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sample: national unit list %s: %w", path, err)
		}
		pc := rec[col["province_code"]]
		ul := byProvince[pc]
		if ul == nil {
			ul = &unitList{ProvinceCode: pc, ProvinceName: rec[col["province_name"]]}
			byProvince[pc] = ul
			out = append(out, ul)
		}
		dc := rec[col["district_code"]]
		d := byDistrict[dc]
		if d == nil {
			d = &district{Code: dc, Name: rec[col["district_name"]], Kind: rec[col["district_kind"]]}
			byDistrict[dc] = d
		}
		if rec[col["commune_code"]] == "" {
			continue // an island district without communes
		}
		if len(d.Communes) == 0 {
			ul.Districts = append(ul.Districts, d)
		}
		d.Communes = append(d.Communes, &commune{Code: rec[col["commune_code"]], Name: rec[col["commune_name"]],
			Kind: rec[col["commune_kind"]], District: d})
	}
	return out, nil
}

// WriteNationalUnits writes the first n provinces (in file order) of the national unit list at
// path ("" for the embedded one) to dst, in the same format: a smaller country, to measure how
// a national run grows with the number of provinces.
func WriteNationalUnits(path string, n int, dst string) error {
	src := nationalUnitsCSV
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("sample: national unit list: %w", err)
		}
		src = b
	}
	recs, err := csv.NewReader(bytes.NewReader(src)).ReadAll()
	if err != nil || len(recs) == 0 {
		return fmt.Errorf("sample: national unit list %s: %v", path, err)
	}
	pc := -1
	for i, h := range recs[0] {
		if strings.TrimPrefix(h, "\ufeff") == "province_code" {
			pc = i
		}
	}
	if pc < 0 {
		return fmt.Errorf("sample: national unit list %s has no column province_code", path)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(recs[0]) //nolint:errcheck // a bytes.Buffer does not fail
	seen := map[string]bool{}
	for _, r := range recs[1:] {
		if !seen[r[pc]] {
			if len(seen) == n {
				continue
			}
			seen[r[pc]] = true
		}
		w.Write(r) //nolint:errcheck
	}
	w.Flush()
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}
