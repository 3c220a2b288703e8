-- One sheet of a batch's file ($2 its place in the file, from 0) and how it was read.
INSERT INTO batch_sheet (batch_id, position, sheet, read_as, note, header_top, header_bottom, columns, fields)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
