-- The days after $1 up to $2 on which some unit version starts or the day after one ends: the
-- days a code can change the unit it names (units.History.Changes, with every version of the
-- country, villages included). The dossier-record counts are split at them (dvc_dossier_records.sql).
SELECT d FROM (
    SELECT valid_from AS d FROM unit
    UNION
    SELECT valid_to + 1 FROM unit WHERE valid_to IS NOT NULL
) c
WHERE d > $1 AND d <= $2
ORDER BY d
