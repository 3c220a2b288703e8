package console

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"ntm"
)

// formSlack is what a multipart upload may carry besides the file itself (boundaries, part
// headers, the few text fields).
const formSlack = 1 << 20

// maxFieldSize bounds a text field of the upload form.
const maxFieldSize = 1 << 10

// staged is a file received into the staging folder, with the form's other fields.
type staged struct {
	FileName string // the uploaded file's base name, as the office knows it
	Path     string // where it is kept until confirmed or cancelled
	Dir      string // its own folder under the staging folder
	Size     int64
	SHA256   string
	Fields   map[string]string // dataset, period
}

// refuse is a refused upload: its code (hence its HTTP status) and a message for the office.
func refuse(code ntm.Code, format string, args ...any) *ntm.Error {
	return ntm.Errorf(code, format, args...)
}

// receive streams a multipart upload (a "file" part and short text fields) into a folder of
// its own under the staging folder, enforcing the size limit (http.MaxBytesReader) and the
// type limit: .xlsx or .csv by extension, and by content (an .xlsx is a zip archive; a .csv
// is text). On error nothing is left behind.
func (c *Console) receive(w http.ResponseWriter, r *http.Request) (*staged, *ntm.Error) {
	limit := c.d.MaxUpload
	if r.ContentLength > limit+formSlack {
		return nil, c.tooBig()
	}
	c.uploadReadDeadline(w)
	r.Body = http.MaxBytesReader(w, r.Body, limit+formSlack)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, refuse(ntm.CodeInvalid, "Cần gửi một biểu mẫu có tệp (multipart/form-data, trường \"file\").")
	}
	st := &staged{Fields: map[string]string{}}
	ok := false
	defer func() {
		if !ok && st.Dir != "" {
			_ = os.RemoveAll(st.Dir)
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, c.readError(err)
		}
		name := part.FormName()
		if name == "file" {
			if st.Path != "" {
				return nil, refuse(ntm.CodeInvalid, "Mỗi lần chỉ tải lên một tệp.")
			}
			if uerr := c.stageFile(part, st, limit); uerr != nil {
				return nil, uerr
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldSize+1))
		if err != nil {
			return nil, c.readError(err)
		}
		if len(b) > maxFieldSize {
			return nil, refuse(ntm.CodeInvalid, "Trường %q của biểu mẫu quá dài.", name)
		}
		st.Fields[name] = strings.TrimSpace(string(b))
	}
	if st.Path == "" {
		return nil, refuse(ntm.CodeInvalid, "Chưa chọn tệp nào để tải lên.")
	}
	ok = true
	return st, nil
}

func (c *Console) tooBig() *ntm.Error {
	return refuse(ntm.CodeTooLarge, "Tệp quá lớn: giới hạn là %s. Hãy tách tệp hoặc liên hệ quản trị hệ thống.", formatSize(c.d.MaxUpload))
}

func (c *Console) readError(err error) *ntm.Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return c.tooBig()
	}
	return refuse(ntm.CodeInvalid, "Không nhận được trọn vẹn tệp tải lên; hãy thử lại.")
}

// stageFile checks the part's name and first bytes, then writes it to its own folder.
func (c *Console) stageFile(part *multipart.Part, st *staged, limit int64) *ntm.Error {
	name := cleanFileName(part.FileName())
	if name == "" {
		return refuse(ntm.CodeInvalid, "Chưa chọn tệp nào để tải lên.")
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".xlsx", ".csv":
	case ".xls":
		return refuse(ntm.CodeUnsupported, "Tệp %s là định dạng Excel cũ (.xls): hãy mở bằng Excel và lưu lại dưới dạng .xlsx rồi tải lên.", name)
	default:
		return refuse(ntm.CodeUnsupported, "Tệp %s không được nhận: chỉ nhận bảng tính .xlsx hoặc .csv.", name)
	}
	br := bufio.NewReaderSize(part, 8192)
	head, err := br.Peek(8192)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return c.readError(err)
	}
	if len(head) == 0 {
		return refuse(ntm.CodeInvalid, "Tệp %s rỗng.", name)
	}
	if msg := sniff(name, ext, head); msg != "" {
		return refuse(ntm.CodeUnsupported, "%s", msg)
	}
	dir, err := c.stagingDir()
	if err != nil {
		c.log.Error(err.Error())
		return refuse(ntm.CodeOperator, "Không lưu được tệp tải lên vào thư mục tạm; hãy báo quản trị hệ thống.")
	}
	st.Dir, st.FileName, st.Path = dir, name, filepath.Join(dir, name)
	f, err := os.OpenFile(st.Path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		c.log.Error("stage upload: " + err.Error())
		return refuse(ntm.CodeOperator, "Không lưu được tệp tải lên vào thư mục tạm; hãy báo quản trị hệ thống.")
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(br, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return c.tooBig()
		}
		if _, isPath := err.(*os.PathError); isPath {
			c.log.Error("stage upload: " + err.Error())
			return refuse(ntm.CodeOperator, "Không lưu được tệp tải lên (ổ đĩa đầy?); hãy báo quản trị hệ thống.")
		}
		return c.readError(err)
	}
	if n > limit {
		return c.tooBig()
	}
	st.Size, st.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	return nil
}

// sniff checks that a file's first bytes fit its extension; "" = they do.
func sniff(name, ext string, head []byte) string {
	isZip := bytes.HasPrefix(head, []byte("PK\x03\x04"))
	switch ext {
	case ".xlsx":
		if !isZip {
			if bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}) { // OLE2: an old .xls, or an encrypted workbook
				return fmt.Sprintf("Tệp %s không phải bảng tính .xlsx (có thể là tệp Excel cũ .xls đổi tên, hoặc tệp có mật khẩu): hãy mở bằng Excel và lưu lại dưới dạng .xlsx không đặt mật khẩu.", name)
			}
			return fmt.Sprintf("Tệp %s có đuôi .xlsx nhưng nội dung không phải bảng tính Excel.", name)
		}
	case ".csv":
		if isZip {
			return fmt.Sprintf("Tệp %s có đuôi .csv nhưng thực ra là bảng tính Excel: hãy đổi đuôi thành .xlsx rồi tải lên.", name)
		}
		if isUTF16(head) {
			return ""
		}
		if ct := http.DetectContentType(head); bytes.IndexByte(head, 0) >= 0 || !strings.HasPrefix(ct, "text/") {
			return fmt.Sprintf("Tệp %s có đuôi .csv nhưng nội dung không phải văn bản: hãy xuất lại dưới dạng CSV UTF-8 hoặc tải lên tệp .xlsx.", name)
		}
	}
	return ""
}

// isUTF16 recognises a UTF-16 text file by its byte-order mark (Excel's "Unicode text").
func isUTF16(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF})
}

// cleanFileName keeps the base name of an uploaded file, without path parts or control
// characters, and not too long (it becomes a file name in the staging folder).
func cleanFileName(n string) string {
	n = strings.ReplaceAll(n, "\\", "/")
	n = n[strings.LastIndex(n, "/")+1:]
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|' {
			return -1
		}
		return r
	}, n)
	n = strings.TrimSpace(n)
	if n == "." || n == ".." || strings.HasPrefix(n, ".") {
		n = strings.TrimLeft(n, ".")
	}
	if len(n) > 150 {
		ext := filepath.Ext(n)
		if len(ext) > 10 {
			ext = ""
		}
		cut := 150 - len(ext)
		for cut > 0 && !utf8.RuneStart(n[cut]) {
			cut--
		}
		n = n[:cut] + ext
	}
	return n
}

// stagingDir makes a fresh folder of its own for one upload.
func (c *Console) stagingDir() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("stage upload: %w", err)
	}
	dir := filepath.Join(c.d.UploadDir, hex.EncodeToString(b))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", fmt.Errorf("stage upload: %w", err)
	}
	return dir, nil
}
