// Package msg is the message catalogue: the one place where the office's words live, so the
// same condition reads the same in every command, page and API answer.
//
// It is a flat package of constants and small functions returning one Vietnamese sentence (or
// a short phrase meant to be completed by the caller, documented as such). Each sentence says
// what happened and, where there is one, what to do next. No sentence mixes languages: an
// English cause (a driver error, an errno) is never appended to one; it goes to the log, or to
// ntm.Error's wrapped cause.
//
// Streams add their own files (office.go for the console and CLI, rows.go for the load path,
// …); a message shown by more than one place belongs here, a message used once may stay where
// it is used.
package msg
