-- +goose Up
-- The built-in criteria set: Lạng Sơn's 2021–2025 smart-village criteria and indicator 9.5 (see docs/criteria.md).
-- valid_to stays open so the set keeps applying until the office adds a newer one.
INSERT INTO criteria_set (key, name, valid_from, stale_months, ocop_locality, dossier_window)
VALUES ('langson-2021', 'Bộ tiêu chí thôn thông minh và chỉ tiêu 9.5 tỉnh Lạng Sơn giai đoạn 2021–2025',
        DATE '2021-01-01', 12, 'commune', 'year');

INSERT INTO criterion (set_key, key, name, level, threshold_num, threshold_den, position, description) VALUES
('langson-2021', 'V1_TEAM',          'Có Tổ công nghệ số cộng đồng được thành lập và hoạt động', 'village', 1, 1, 1,
 'Theo phiếu tự đánh giá của thôn (Tổ công nghệ số cộng đồng: Có).'),
('langson-2021', 'V2_PLATFORM',      'Cán bộ thôn sử dụng nền tảng số để thông tin, tiếp nhận phản ánh', 'village', 1, 1, 2,
 'Theo phiếu tự đánh giá của thôn (sử dụng nền tảng số: Có).'),
('langson-2021', 'V3_WIFI',          'Có WiFi miễn phí tại nhà văn hóa thôn', 'village', 1, 1, 3,
 'Theo phiếu tự đánh giá của thôn (WiFi miễn phí tại nhà văn hóa: Có).'),
('langson-2021', 'V4_ADDRESS',       '100% hộ gia đình và cơ quan, tổ chức được gắn địa chỉ số', 'village', 1, 1, 4,
 'Số liệu Vpostcode: số hộ đã gắn địa chỉ số = tổng số hộ và số cơ quan, tổ chức đã gắn = tổng số (không có cơ quan, tổ chức thì phần này đạt).'),
('langson-2021', 'V5_OCOP',          '100% sản phẩm OCOP của địa phương được đưa lên sàn thương mại điện tử', 'village', 1, 1, 5,
 'Mọi sản phẩm OCOP còn hiệu lực chứng nhận của xã có ít nhất một gian hàng đang bán trên sàn TMĐT. Xã không có sản phẩm OCOP: đạt.'),
('langson-2021', 'V6_DXMODEL',       'Có ít nhất một mô hình chuyển đổi số', 'village', 1, 1, 6,
 'Theo phiếu tự đánh giá của thôn (số mô hình chuyển đổi số ≥ 1).'),
('langson-2021', 'SMART_VILLAGE',    'Thôn thông minh (đạt cả 6 điều kiện)', 'village', 6, 1, 7,
 'Đạt khi đạt cả 6 điều kiện; chưa đạt khi có điều kiện chưa đạt; còn lại là chưa có số liệu.'),
('langson-2021', 'C8_SMART_VILLAGE', 'Tiêu chí 8 xã NTM kiểu mẫu: có ít nhất một thôn thông minh', 'commune', 1, 1, 8,
 'Đạt khi xã có ít nhất một thôn thông minh; chưa đạt khi không thôn nào đạt và mọi thôn đã có kết luận.'),
('langson-2021', 'D95_PROCEDURES',   'Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến (toàn trình và một phần) ≥ 100%', 'district', 1, 1, 9,
 'Tổng số TTHC cung cấp DVCTT toàn trình và một phần trên tổng số TTHC đủ điều kiện, cấp huyện và các xã.'),
('langson-2021', 'D95_DOSSIERS',     'Tỷ lệ hồ sơ xử lý trực tuyến toàn trình ≥ 70%', 'district', 7, 10, 10,
 'Tổng số hồ sơ xử lý trực tuyến toàn trình trên tổng số hồ sơ tiếp nhận, từ 01/01 đến hết kỳ đánh giá.'),
('langson-2021', 'D95',              'Chỉ tiêu 9.5 huyện NTM nâng cao (đạt cả hai tỷ lệ)', 'district', 2, 1, 11,
 'Đạt khi đạt cả hai tỷ lệ D95_PROCEDURES và D95_DOSSIERS.');

-- +goose Down
DELETE FROM criterion WHERE set_key = 'langson-2021';
DELETE FROM criteria_set WHERE key = 'langson-2021';
