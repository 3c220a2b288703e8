package sample

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Village names in the Tày–Nùng style of Lạng Sơn (Nà = field, Pò = hill, Khuổi = stream,
// Khau = mountain, Pác = mouth, Bó = spring …), plus the Kinh names common in lowland communes.
var (
	tayFirst  = []string{"Nà", "Pò", "Khuổi", "Khau", "Pác", "Bản", "Còn", "Lũng", "Nặm", "Phai", "Kéo", "Bó", "Nà", "Pò", "Bản", "Khòn", "Co", "Tồng", "Pắc", "Hang"}
	taySecond = []string{"Lìa", "Mè", "Chắt", "Pàn", "Sla", "Cạn", "Nưa", "Slằng", "Phục", "Nghiều", "Lầy", "Tẳng", "Nọi", "Luông", "Cáy", "Pục", "Hin", "Mạ", "Pắt", "Rào", "Vài", "Quan", "Tèo", "Thoi", "Pất", "Chang", "Ngòa", "Dìn", "Khiêng", "Mìn", "Tâu", "Dạ", "Mòn", "Lạn", "Phổ", "Cưởm", "Sản", "Khuông", "Thày", "Bó", "Làng", "Hẩu", "Phường", "Mười", "Pha", "Tao", "Cốc", "Nhừ", "Slam", "Đon"}
	kinhNames = []string{"Đồng Tâm", "Thống Nhất", "Tân Lập", "Quyết Thắng", "Đoàn Kết", "Tiến Bộ", "Minh Khai", "Trung Tâm", "Phố Cũ", "Làng Mới", "Bình Minh", "Tân Tiến", "Hợp Thành", "Liên Hợp", "Đồng Bành", "Hòa Bình", "Tân Hội", "Đồng Giáp", "Quang Trung", "Thanh Bình", "Đồng Ngầu", "Tiền Phong", "Hồng Phong", "Bắc Lệ", "Trại Ổi", "Làng Chùa"}
	khoiNames = []string{"Hòa Bình", "Đức Hinh", "Trần Quang Khải", "Ngô Quyền", "Lê Lợi", "Đông Kinh", "Chi Lăng", "Tam Thanh", "Phai Vệ", "Nhị Thanh", "Kỳ Lừa", "Văn Miếu", "Đèo Giang", "Mai Pha", "Tân Lập"}
)

// villageNames makes n names for the villages of a commune, unique after folding.
// Urban units get "Tổ dân phố 1…n" or "Khối …"; rural ones get Tày–Nùng and Kinh names.
func villageNames(r *rand.Rand, c *commune, n int) (names, kinds []string) {
	if c.Urban() {
		if r.IntN(3) == 0 {
			// "Khối" streets: named blocks, then numbered ones if names run out.
			perm := r.Perm(len(khoiNames))
			for i := 0; i < n; i++ {
				if i < len(perm) && i < n/2 {
					names = append(names, "Khối "+khoiNames[perm[i]])
				} else {
					names = append(names, fmt.Sprintf("Khối %d", i+1))
				}
				kinds = append(kinds, "Tổ dân phố")
			}
			return names, kinds
		}
		for i := 0; i < n; i++ {
			names = append(names, fmt.Sprintf("Tổ dân phố %d", i+1))
			kinds = append(kinds, "Tổ dân phố")
		}
		return names, kinds
	}
	seen := map[string]bool{}
	for len(names) < n {
		var base string
		switch x := r.IntN(10); {
		case x < 2:
			base = kinhNames[r.IntN(len(kinhNames))]
		default:
			base = tayFirst[r.IntN(len(tayFirst))] + " " + taySecond[r.IntN(len(taySecond))]
		}
		key := strings.ToLower(base)
		if seen[key] {
			continue
		}
		seen[key] = true
		full := "Thôn " + base
		if strings.HasPrefix(base, "Bản ") && r.IntN(2) == 0 {
			full = base // "Bản Chắt": Bản is part of the name, the kind is still thôn
		}
		names = append(names, full)
		kinds = append(kinds, "Thôn")
	}
	return names, kinds
}

// distribute splits total into len(weights) counts of at least lo and at most hi, near proportional
// to random weights, deterministically for r.
func distribute(r *rand.Rand, n, total, lo, hi int) []int {
	out := make([]int, n)
	sum := 0
	for i := range out {
		out[i] = lo + r.IntN(hi-lo+1)
		sum += out[i]
	}
	for sum != total {
		i := r.IntN(n)
		if sum < total && out[i] < hi {
			out[i]++
			sum++
		} else if sum > total && out[i] > lo {
			out[i]--
			sum--
		}
	}
	return out
}

var (
	familyNames = []string{"Hoàng", "Nông", "Lương", "Vi", "Lăng", "Hà", "Triệu", "Lộc", "Chu", "Nguyễn", "Lý", "Đinh", "Mã", "Hứa", "Dương", "Tô"}
	givenNames  = []string{"Văn Thắng", "Thị Mai", "Văn Hùng", "Thị Hoa", "Văn Tuấn", "Thị Lan", "Đức Minh", "Thị Hạnh", "Văn Sinh", "Thị Chỉ", "Văn Quyên", "Thị Xinh"}
)

func personName(r *rand.Rand) string {
	return familyNames[r.IntN(len(familyNames))] + " " + givenNames[r.IntN(len(givenNames))]
}
