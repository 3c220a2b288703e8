package transform

// ProgressFunc is told the number of rows read so far in the file being loaded or checked
// (the same count as FileReport.RowsRead). It is called on the loading goroutine about every
// ProgressEvery rows, so it must be quick; the run history throttles its own writes.
type ProgressFunc func(rowsRead int)

// ProgressEvery is how many rows pass between two progress calls.
const ProgressEvery = 1000
