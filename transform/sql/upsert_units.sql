-- Store the units of an import (temp table unit_import, filled by COPY). A unit with the
-- same code and valid_from takes the file's level, kind, name, parent and valid_to; the
-- first row of the file wins when the file repeats a unit.
INSERT INTO unit (code, level, kind, name, folded_name, parent_code, valid_from, valid_to, batch_id)
SELECT DISTINCT ON (code, valid_from)
       code, level, kind, name, folded_name, parent_code, valid_from, valid_to, batch_id
FROM unit_import
ORDER BY code, valid_from, seq
ON CONFLICT (code, valid_from) DO UPDATE
SET level       = EXCLUDED.level,
    kind        = EXCLUDED.kind,
    name        = EXCLUDED.name,
    folded_name = EXCLUDED.folded_name,
    parent_code = EXCLUDED.parent_code,
    valid_to    = EXCLUDED.valid_to,
    batch_id    = EXCLUDED.batch_id
WHERE (unit.level, unit.kind, unit.name, unit.folded_name, unit.parent_code, unit.valid_to)
      IS DISTINCT FROM
      (EXCLUDED.level, EXCLUDED.kind, EXCLUDED.name, EXCLUDED.folded_name, EXCLUDED.parent_code, EXCLUDED.valid_to)
