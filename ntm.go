// Package ntm holds the domain types every stage of the pipeline shares:
// administrative levels, datasets, evaluation periods and result statuses.
// It imports nothing from the stages, so every stage may import it.
package ntm

import (
	"fmt"
	"time"
)

// Level is the rank of an administrative unit. The district level is optional:
// since 1/7/2025 a structure may be province → commune → village.
type Level string

const (
	LevelProvince Level = "province"
	LevelDistrict Level = "district"
	LevelCommune  Level = "commune"
	LevelVillage  Level = "village"
)

// Label is the Vietnamese word shown to users for a level.
func (l Level) Label() string {
	switch l {
	case LevelProvince:
		return "Tỉnh"
	case LevelDistrict:
		return "Huyện"
	case LevelCommune:
		return "Xã"
	case LevelVillage:
		return "Thôn"
	}
	return string(l)
}

// Levels lists the levels from the top down.
var Levels = []Level{LevelProvince, LevelDistrict, LevelCommune, LevelVillage}

// ParseLevel accepts the English level names used on the command line.
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if string(l) == s {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown level %q: use province, district, commune or village", s)
}

// Dataset names one kind of input (docs/datasets.md).
type Dataset string

const (
	DatasetUnits             Dataset = "units"
	DatasetVpostcode         Dataset = "vpostcode"
	DatasetOCOPProducts      Dataset = "ocop_products"
	DatasetOCOPListings      Dataset = "ocop_listings"
	DatasetDVCProcedures     Dataset = "dvc_procedures"
	DatasetDVCDossiers       Dataset = "dvc_dossiers"
	DatasetDVCDossierRecords Dataset = "dvc_dossier_records"
	DatasetVillageSurvey     Dataset = "village_survey"
	DatasetVNeID             Dataset = "vneid"
)

// Datasets lists every dataset ntm loads.
var Datasets = []Dataset{
	DatasetUnits, DatasetVpostcode, DatasetOCOPProducts, DatasetOCOPListings,
	DatasetDVCProcedures, DatasetDVCDossiers, DatasetDVCDossierRecords, DatasetVillageSurvey, DatasetVNeID,
}

// ParseDataset checks a dataset name given by a user.
func ParseDataset(s string) (Dataset, error) {
	for _, d := range Datasets {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("unknown dataset %q: use one of %v", s, Datasets)
}

// Status is the outcome of one criterion for one unit and period.
type Status string

const (
	StatusMet    Status = "met"
	StatusNotMet Status = "not_met"
	StatusNoData Status = "no_data"
)

// Label is the Vietnamese word shown to users for a status.
func (s Status) Label() string {
	switch s {
	case StatusMet:
		return "Đạt"
	case StatusNotMet:
		return "Chưa đạt"
	default:
		return "Chưa có số liệu"
	}
}

// Period is an evaluation month (YYYY-MM). It ends on its last day.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod reads "YYYY-MM".
func ParsePeriod(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return Period{}, fmt.Errorf("period %q is not of the form YYYY-MM (for example 2024-12)", s)
	}
	return Period{Year: t.Year(), Month: t.Month()}, nil
}

// PeriodOf returns the period containing t.
func PeriodOf(t time.Time) Period { return Period{Year: t.Year(), Month: t.Month()} }

func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// Start is the first day of the period.
func (p Period) Start() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC) }

// End is the last day of the period (a date, at midnight UTC).
func (p Period) End() time.Time { return p.Start().AddDate(0, 1, -1) }

// Prev is the period before p.
func (p Period) Prev() Period { return PeriodOf(p.Start().AddDate(0, -1, 0)) }

// Date builds a date at midnight UTC, the representation of calendar dates throughout ntm.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
