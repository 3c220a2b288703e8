package console

import (
	"time"

	"ntm"
)

// uploadView is an upload as the pages show it.
type uploadView struct {
	ID           int64
	User         string
	FileName     string
	Size         int64
	Dataset      string // as asked
	DatasetLabel string // as asked or detected
	Period       string
	Status       string
	StatusLabel  string
	Check        fileReport
	Load         *fileReport
	Error        string
	Created      time.Time
	Decided      *time.Time
	DecidedBy    string
	CanDecide    bool // waiting, and not rejected whole: confirm is possible
	Waiting      bool // waiting for a decision
	Loading      bool
	RunID        int64 // the load run, 0 = none
	RejectsShown []rejectView
	RejectsMore  int   // rejected rows not kept with the upload (all are in the batch's workbook)
	BatchID      int64 // the batch loaded, 0 = none yet
	Replace      int64 // the batch this upload re-loads
	Reason       string
	Rejected     bool // the file is rejected whole: it can only be dropped
}

func newUploadView(u upload) uploadView {
	v := uploadView{ID: u.ID, User: u.User, FileName: u.FileName, Size: u.Size, Dataset: u.Dataset, Period: u.Period,
		Status: u.Status, StatusLabel: uploadStatusLabel(u.Status), Check: u.Check, Load: u.Load, Error: u.Error,
		Created: u.CreatedAt, Decided: u.DecidedAt, DecidedBy: u.DecidedBy,
		Waiting: u.Status == uploadChecked}
	v.CanDecide = v.Waiting && !u.Check.Rejected
	v.Rejected = u.Check.Rejected && u.Load == nil
	v.Replace, v.Reason = u.Replace, u.Reason
	if v.Waiting && u.Check.Rejected {
		v.StatusLabel = "Bị loại toàn bộ"
		v.Status = "rejected"
	}
	if u.BatchID != nil {
		v.BatchID = *u.BatchID
	}
	v.Loading = u.Status == uploadLoading
	if u.RunID != nil {
		v.RunID = *u.RunID
	}
	d := u.Dataset
	if d == "" {
		d = u.Check.Dataset
	}
	v.DatasetLabel = datasetLabel(d)
	rs, total := u.Check.Rejects, u.Check.RowsRejected
	if u.Load != nil {
		rs, total = u.Load.Rejects, u.Load.RowsRejected
	}
	v.RejectsShown, v.RejectsMore = rs, max(0, total-len(rs))
	return v
}

type datasetOption struct{ Value, Label string }

func datasetOptions() []datasetOption {
	out := []datasetOption{{"", "Tự nhận diện theo dòng tiêu đề"}}
	for _, d := range ntm.Datasets {
		out = append(out, datasetOption{string(d), datasetLabel(string(d)) + " (" + string(d) + ")"})
	}
	return out
}

// ---- JSON ----

type apiUpload struct {
	ID        int64       `json:"id"`
	User      string      `json:"user"`
	FileName  string      `json:"file_name"`
	Size      int64       `json:"size"`
	SHA256    string      `json:"sha256"`
	Dataset   string      `json:"dataset"` // as asked ("" = detect)
	Period    string      `json:"period,omitempty"`
	Status    string      `json:"status"` // checked, loading, loaded, cancelled, failed
	Check     fileReport  `json:"check"`
	Load      *fileReport `json:"load,omitempty"`
	Error     string      `json:"error,omitempty"`
	RunID     int64       `json:"run_id,omitempty"` // the run that loads it (GET /api/runs/{run_id})
	CreatedAt time.Time   `json:"created_at"`
	DecidedAt *time.Time  `json:"decided_at,omitempty"`
	DecidedBy string      `json:"decided_by,omitempty"`
	URL       string      `json:"url"`
}

func newAPIUpload(u upload) apiUpload {
	out := apiUpload{ID: u.ID, User: u.User, FileName: u.FileName, Size: u.Size, SHA256: u.SHA256, Dataset: u.Dataset,
		Period: u.Period, Status: u.Status, Check: u.Check, Load: u.Load, Error: u.Error, CreatedAt: u.CreatedAt,
		DecidedAt: u.DecidedAt, DecidedBy: u.DecidedBy, URL: "/api/uploads/" + itoa(u.ID)}
	if u.RunID != nil {
		out.RunID = *u.RunID
	}
	return out
}
