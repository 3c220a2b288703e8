-- The loaded batches that hold record-level dossier facts (a record-level export is loaded only
-- as dataset dvc_dossier_records).
SELECT id FROM batch WHERE status = 'loaded' AND dataset = 'dvc_dossier_records' ORDER BY id
