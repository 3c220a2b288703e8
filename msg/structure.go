package msg

import "fmt"

// GroupsStored says what a write of commune groups did (ntm criteria groups import, and the
// commune_group column of ntm units import).
func GroupsStored(from string, opened, changed, unchanged int) string {
	return fmt.Sprintf("Nhóm xã từ %s: %d xã được xếp nhóm lần đầu, %d xã đổi nhóm, %d xã giữ nguyên nhóm.", from, opened, changed, unchanged)
}
