-- The results of evaluation $1 (criteria set $2), optionally of one level $3 ('' = all), in
-- display order: province, district, commune, village; unit code; criterion position.
SELECT r.unit_code, r.unit_name, r.level, coalesce(r.parent_code, ''), r.criterion, coalesce(c.name, ''),
       r.status, r.value_num, r.value_den, r.threshold_num, r.threshold_den, r.explanation, r.detail
FROM result r
LEFT JOIN criterion c ON c.set_key = $2 AND c.key = r.criterion
WHERE r.evaluation_id = $1 AND ($3 = '' OR r.level = $3)
ORDER BY array_position(ARRAY['province', 'district', 'commune', 'village'], r.level), r.unit_code,
         coalesce(c.position, 2147483647), r.criterion
