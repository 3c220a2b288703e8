package reports

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"ntm"
	"ntm/db/dbtest"
)

// testCert is a self-signed certificate for 127.0.0.1 and a client config trusting only it.
func testCert(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ntm test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// message is one e-mail the test server accepted.
type message struct {
	from string
	to   []string
	data string
	tls  bool
}

type mailbox struct {
	mu   sync.Mutex
	msgs []message
}

func (m *mailbox) all() []message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]message(nil), m.msgs...)
}

type session struct {
	box *mailbox
	c   *smtp.Conn
	cur message
}

func (s *session) Reset()        { s.cur = message{} }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	_, s.cur.tls = s.c.TLSConnectionState()
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}

// startSMTP runs a real SMTP server on 127.0.0.1: STARTTLS offered when starttls, TLS from the
// first byte when implicit, plain otherwise. It returns the port.
func startSMTP(t *testing.T, box *mailbox, serverTLS *tls.Config, mode string) int {
	t.Helper()
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{box: box, c: c}, nil
	}))
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case TLSStartTLS:
		s.TLSConfig = serverTLS
	case TLSImplicit:
		l = tls.NewListener(l, serverTLS)
	}
	go s.Serve(l) //nolint:errcheck // ends with Close
	t.Cleanup(func() { s.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// closedPort is a port nothing listens on: connections are refused.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return p
}

// workbookFile writes a stand-in workbook at <dir>/<period>/<name>.
func workbookFile(t *testing.T, dir, period, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, period, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func decodeSubject(t *testing.T, data string) (string, *mail.Message) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("not an e-mail: %v\n%s", err, data)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return subj, m
}

func TestDeliverByMail(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES
		('181', 'district', 'Huyện', 'Huyện Chi Lăng', 'chi lăng', '20')`)
	serverTLS, clientTLS := testCert(t)
	box := &mailbox{}
	port := startSMTP(t, box, serverTLS, TLSStartTLS)
	dir := t.TempDir()
	wb := workbookFile(t, dir, "2024-12", "181-huyen-chi-lang.xlsx", "workbook v1")
	recipients := map[string][]string{"181": {"vanphong@chilang.langson.gov.vn", "ubnd@chilang.langson.gov.vn"}}

	// 1. The mail server refuses connections: both sends fail, are recorded and shown as pending.
	down := SMTPConfig{Host: "127.0.0.1", Port: closedPort(t), TLS: TLSStartTLS, From: "ntm@langson.gov.vn",
		TLSConfig: clientTLS, Timeout: 5 * time.Second}
	rep, err := Deliver(ctx, pool, []string{wb}, recipients, down)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 2 || rep.Sent != 0 || rep.Err() == nil || !strings.Contains(rep.Err().Error(), "sẽ gửi lại") {
		t.Fatalf("refused: report = %+v, err = %v", rep, rep.Err())
	}
	pending, err := PendingDeliveries(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].Attempts != 1 || pending[0].Outcome != "failed" || !strings.Contains(pending[0].Error, "127.0.0.1") {
		t.Fatalf("pending after a refused connection = %+v", pending)
	}
	// One Vietnamese sentence for the office, the English cause for the log only.
	wantRefused := fmt.Sprintf("Máy chủ thư 127.0.0.1:%d không nhận thư: kiểm tra máy chủ đang chạy, cổng và chế độ TLS trong cấu hình ntm.", down.Port)
	if pending[0].Error != wantRefused {
		t.Errorf("refused: error = %q, want %q", pending[0].Error, wantRefused)
	}
	if m := rep.Err().Error(); strings.Contains(m, "refused") || strings.Contains(m, "dial") {
		t.Errorf("the office is shown an English cause: %q", m)
	}
	if c := errors.Unwrap(rep.Err()); c == nil || !strings.Contains(c.Error(), "refused") {
		t.Errorf("the log loses the cause: %v", c)
	}

	// 2. The next run (same workbook) retries and sends, over STARTTLS.
	up := down
	up.Port = port
	rep, err = Deliver(ctx, pool, []string{wb}, recipients, up)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 2 || rep.Failed != 0 || rep.Retried != 2 || rep.Err() != nil {
		t.Fatalf("retry: report = %+v", rep)
	}
	msgs := box.all()
	if len(msgs) != 2 {
		t.Fatalf("server got %d messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		if !m.tls {
			t.Error("a message was sent without TLS")
		}
		if m.from != "ntm@langson.gov.vn" || len(m.to) != 1 {
			t.Errorf("envelope %s → %v", m.from, m.to)
		}
		subj, parsed := decodeSubject(t, m.data)
		if subj != "[NTM] Báo cáo thôn thông minh, tiêu chí 8 và chỉ tiêu 9.5 tháng 12/2024 – Huyện Chi Lăng" {
			t.Errorf("subject = %q", subj)
		}
		if ct := parsed.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/mixed") {
			t.Errorf("content type = %q, want an attachment", ct)
		}
		if !strings.Contains(m.data, `filename="181-huyen-chi-lang.xlsx"`) {
			t.Error("the workbook is not attached under its name")
		}
	}
	st, err := DeliveryStatus(ctx, pool, dec2024)
	if err != nil {
		t.Fatal(err)
	}
	var folder, sent int
	for _, d := range st {
		switch {
		case d.Channel == "folder" && d.Outcome == "sent" && d.Address == filepath.Join(dir, "2024-12"):
			folder++
		case d.Channel == "email" && d.Outcome == "sent" && d.Attempts == 2 && d.SentAt != nil && d.Error == "":
			sent++
		}
		if len(d.FileSHA256) != 64 {
			t.Errorf("hash %q", d.FileSHA256)
		}
	}
	if folder != 1 || sent != 2 {
		t.Errorf("status = %+v", st)
	}
	if p, _ := PendingDeliveries(ctx, pool); len(p) != 0 {
		t.Errorf("still pending: %+v", p)
	}

	// 3. Never twice: the same workbook again sends nothing.
	rep, err = Deliver(ctx, pool, []string{wb}, recipients, up)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 0 || rep.Already != 2 || len(box.all()) != 2 {
		t.Fatalf("second delivery of the same workbook: %+v, %d messages", rep, len(box.all()))
	}

	// 4. A changed workbook is a new delivery.
	wb = workbookFile(t, dir, "2024-12", "181-huyen-chi-lang.xlsx", "workbook v2")
	rep, err = Deliver(ctx, pool, []string{wb}, recipients, up)
	if err != nil || rep.Sent != 2 || len(box.all()) != 4 {
		t.Fatalf("changed workbook: %+v, %v", rep, err)
	}

	// 5. A failure to an address later removed from the configuration is not retried for ever.
	wb = workbookFile(t, dir, "2024-12", "181-huyen-chi-lang.xlsx", "workbook v3")
	if rep, _ = Deliver(ctx, pool, []string{wb}, recipients, down); rep.Failed != 2 {
		t.Fatalf("v3 refused: %+v", rep)
	}
	rep, err = Deliver(ctx, pool, nil, map[string][]string{"181": {"ubnd@chilang.langson.gov.vn"}}, up)
	if err != nil || rep.Sent != 1 || rep.Retried != 1 {
		t.Fatalf("retry after a configuration change: %+v, %v", rep, err)
	}
	if p, _ := PendingDeliveries(ctx, pool); len(p) != 0 {
		t.Errorf("still pending after the address was removed: %+v", p)
	}
}

func TestDeliverImplicitTLSAndSupersede(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	serverTLS, clientTLS := testCert(t)
	box := &mailbox{}
	port := startSMTP(t, box, serverTLS, TLSImplicit)
	dir := t.TempDir()
	wb := workbookFile(t, dir, "2024-12", "06052-xa-quang-lang.xlsx", "v1")
	recipients := map[string][]string{"06052": {"xa@quanglang.vn"}}
	cfg := SMTPConfig{Host: "127.0.0.1", Port: closedPort(t), TLS: TLSImplicit, TLSConfig: clientTLS, Timeout: 5 * time.Second}
	if rep, err := Deliver(ctx, pool, []string{wb}, recipients, cfg); err != nil || rep.Failed != 1 {
		t.Fatalf("refused: %+v, %v", rep, err)
	}
	// The workbook is rewritten before the next run: only the new one is sent.
	wb = workbookFile(t, dir, "2024-12", "06052-xa-quang-lang.xlsx", "v2")
	cfg.Port = port
	rep, err := Deliver(ctx, pool, []string{wb}, recipients, cfg)
	if err != nil || rep.Sent != 1 || rep.Failed != 0 {
		t.Fatalf("implicit TLS: %+v, %v", rep, err)
	}
	if msgs := box.all(); len(msgs) != 1 || !msgs[0].tls || msgs[0].from != "ntm@127.0.0.1" {
		t.Fatalf("messages = %+v", msgs)
	}
	st, _ := DeliveryStatus(ctx, pool, dec2024)
	outcomes := map[string]int{}
	for _, d := range st {
		outcomes[d.Channel+":"+d.Outcome]++
	}
	if outcomes["email:superseded"] != 1 || outcomes["email:sent"] != 1 || outcomes["folder:sent"] != 2 {
		t.Errorf("outcomes = %v", outcomes)
	}
}

// TestDeliverUnreadableFile: a workbook removed before its e-mail is sent is one Vietnamese
// sentence naming the file and what to do; the OS error stays for the log.
func TestDeliverUnreadableFile(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	_, clientTLS := testCert(t)
	wb := workbookFile(t, t.TempDir(), "2024-12", "181-huyen-chi-lang.xlsx", "v1")
	cfg := SMTPConfig{Host: "127.0.0.1", Port: closedPort(t), TLS: TLSStartTLS, TLSConfig: clientTLS, Timeout: 5 * time.Second}
	rep, err := Deliver(ctx, pool, []string{wb}, map[string][]string{"181": {"a@chilang.vn"}}, cfg)
	if err != nil || rep.Failed != 1 {
		t.Fatalf("refused: %+v, %v", rep, err)
	}
	if err := os.Remove(wb); err != nil {
		t.Fatal(err)
	}
	got, err := Resend(ctx, pool, rep.Items[0].ID, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := "Không đọc được tệp báo cáo " + wb + " để gửi: kiểm tra tệp còn trong thư mục báo cáo và ntm có quyền đọc, hoặc lập lại báo cáo (ntm report)."
	if got.Outcome != "failed" || got.Error != want {
		t.Errorf("unreadable: outcome %q, error %q, want %q", got.Outcome, got.Error, want)
	}
	if !errors.Is(got.Cause, fs.ErrNotExist) {
		t.Errorf("cause = %v, want the OS error", got.Cause)
	}
	st, _ := DeliveryStatus(ctx, pool, dec2024)
	for _, d := range st {
		if d.Channel == "email" && d.Error != want {
			t.Errorf("recorded error = %q", d.Error)
		}
	}
}

// TestDeliverNeverInClear: a server that offers no STARTTLS gets nothing.
func TestDeliverNeverInClear(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	_, clientTLS := testCert(t)
	box := &mailbox{}
	port := startSMTP(t, box, nil, "")
	wb := workbookFile(t, t.TempDir(), "2024-12", "181-huyen-chi-lang.xlsx", "v1")
	rep, err := Deliver(context.Background(), pool, []string{wb}, map[string][]string{"181": {"a@b.vn"}},
		SMTPConfig{Host: "127.0.0.1", Port: port, TLSConfig: clientTLS, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 1 || len(box.all()) != 0 {
		t.Fatalf("plain server: %+v, %d messages", rep, len(box.all()))
	}
	// Without a mail server configured only the folder delivery is recorded.
	rep, err = Deliver(context.Background(), pool, []string{wb}, map[string][]string{"181": {"a@b.vn"}}, SMTPConfig{})
	if err != nil || rep.Sent+rep.Failed != 0 {
		t.Fatalf("no SMTP: %+v, %v", rep, err)
	}
	if _, _, err := ParseWorkbookPath("/tmp/x.xlsx"); err == nil {
		t.Error("a path outside a period folder was accepted")
	}
}

// TestResend: the office sends a failed e-mail again at once, and a sent one once more; a folder
// delivery, an unknown one, a replaced workbook and a config without a mail server are refused
// with a sentence saying why.
func TestResend(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES
		('181', 'district', 'Huyện', 'Huyện Chi Lăng', 'chi lăng', '20')`)
	serverTLS, clientTLS := testCert(t)
	box := &mailbox{}
	port := startSMTP(t, box, serverTLS, TLSStartTLS)
	dir := t.TempDir()
	wb := workbookFile(t, dir, "2024-12", "181-huyen-chi-lang.xlsx", "workbook v1")
	recipients := map[string][]string{"181": {"vanphong@chilang.langson.gov.vn"}}
	down := SMTPConfig{Host: "127.0.0.1", Port: closedPort(t), TLS: TLSStartTLS, From: "ntm@langson.gov.vn",
		TLSConfig: clientTLS, Timeout: 5 * time.Second}
	if _, err := Deliver(ctx, pool, []string{wb}, recipients, down); err != nil {
		t.Fatal(err)
	}
	pending, err := PendingDeliveries(ctx, pool)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending: %v %v", pending, err)
	}
	id := pending[0].ID
	up := down
	up.Port = port
	// Still down: the resend fails again, recorded.
	got, err := Resend(ctx, pool, id, down)
	if err != nil || got.Outcome != "failed" || got.Attempts != 2 || got.OutcomeLabel() != "Gửi không được" {
		t.Fatalf("resend while down: %+v %v", got, err)
	}
	for i, want := range []int{1, 2} {
		got, err := Resend(ctx, pool, id, up)
		if err != nil || got.Outcome != "sent" || got.SentAt == nil {
			t.Fatalf("resend %d: %+v %v", i, got, err)
		}
		if n := len(box.all()); n != want {
			t.Fatalf("messages after resend %d: %d", i, n)
		}
	}
	var folder int64
	if err := pool.QueryRow(ctx, `SELECT id FROM delivery WHERE channel = 'folder'`).Scan(&folder); err != nil {
		t.Fatal(err)
	}
	if _, err := Resend(ctx, pool, folder, up); ntm.ErrorCode(err) != ntm.CodeConflict {
		t.Errorf("resend of a folder delivery: %v", err)
	}
	if _, err := Resend(ctx, pool, 99999, up); ntm.ErrorCode(err) != ntm.CodeNotFound || !strings.Contains(ntm.ErrorMessage(err), "99999") {
		t.Errorf("resend of an unknown delivery: %v", err)
	}
	if _, err := Resend(ctx, pool, id, SMTPConfig{}); ntm.ErrorCode(err) != ntm.CodeConflict || !strings.Contains(ntm.ErrorMessage(err), "máy chủ thư") {
		t.Errorf("resend without a mail server: %v", err)
	}
	exec1(t, pool, `UPDATE delivery SET outcome = 'superseded' WHERE id = $1`, id)
	if _, err := Resend(ctx, pool, id, up); ntm.ErrorCode(err) != ntm.CodeConflict {
		t.Errorf("resend of a replaced workbook: %v", err)
	}
}
