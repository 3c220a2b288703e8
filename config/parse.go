package config

import (
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"

	"ntm"
	"ntm/yamlpos"
)

// Problem is one mistake in the config file, at a line and column (1-based; 0 = the file).
type Problem struct {
	Line, Column int
	Message      string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Message
	}
	return fmt.Sprintf("line %d, column %d: %s", p.Line, p.Column, p.Message)
}

// Errors lists every mistake found in a config file, in file order.
type Errors struct {
	File     string
	Problems []Problem
}

func (e *Errors) Error() string {
	name := e.File
	if name == "" {
		name = "the config"
	}
	at := func(p Problem) string {
		if p.Line == 0 {
			return p.Message
		}
		return fmt.Sprintf("%s:%d:%d: %s", name, p.Line, p.Column, p.Message)
	}
	if len(e.Problems) == 1 {
		return fmt.Sprintf("%s has a mistake: %s (check it with ntm config check)", name, at(e.Problems[0]))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %d mistakes (check it with ntm config check):", name, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + at(p))
	}
	return b.String()
}

type parser struct {
	problems   []Problem
	jobSources []jobSourceRef // job → sources references, checked once every source is read
}

func (p *parser) addf(n *yaml.Node, format string, args ...any) {
	pr := Problem{Message: fmt.Sprintf(format, args...)}
	if n != nil {
		pr.Line, pr.Column = n.Line, n.Column
	}
	p.problems = append(p.problems, pr)
}

// Parse reads a config from YAML bytes: defaults, then the file's values. It returns every
// mistake found (nil when there is none); environment overrides are not applied.
func Parse(b []byte) (*Config, *Errors) {
	c := Default()
	c.Jobs = nil
	p := &parser{}
	root, serr := yamlpos.Parse(b)
	if serr != nil {
		p.problems = append(p.problems, yamlProblem(serr))
		return nil, &Errors{Problems: p.problems}
	}
	if root != nil { // an empty or comments-only file: defaults
		p.top(c, root)
	}
	p.finish(c)
	if len(p.problems) > 0 {
		sort.SliceStable(p.problems, func(i, j int) bool {
			a, b := p.problems[i], p.problems[j]
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Column < b.Column
		})
		return nil, &Errors{Problems: p.problems}
	}
	return c, nil
}

// yamlProblem turns a YAML syntax error into a Problem at its line.
func yamlProblem(e *yamlpos.SyntaxError) Problem {
	pr := Problem{Message: "the file is not valid YAML: " + e.Reason}
	if e.Line > 0 {
		pr.Line, pr.Column = e.Line, 1
	}
	return pr
}

// fields walks a mapping node, calling the handler of each key and reporting unknown and
// repeated keys. what names the mapping in messages ("the top level", "source 2").
func (p *parser) fields(n *yaml.Node, what string, handlers map[string]func(key, val *yaml.Node)) {
	yamlpos.Fields(n, yamlpos.Report{
		NotMapping: func(n *yaml.Node) { p.addf(n, "%s must be a mapping of keys to values", what) },
		Repeated:   func(k *yaml.Node) { p.addf(k, "key %q is given twice in %s", k.Value, what) },
		Unknown: func(k *yaml.Node, names []string) {
			hint := ""
			if s := yamlpos.Closest(k.Value, names); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			p.addf(k, "unknown key %q in %s%s; known keys: %s", k.Value, what, hint, strings.Join(names, ", "))
		},
	}, handlers)
}

func (p *parser) str(v *yaml.Node, key string) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" && v.Value != "" && v.Value != "~" && v.Value != "null" {
		p.addf(v, "%s must be a text value", key)
		return "", false
	}
	if v.Tag == "!!null" {
		return "", true
	}
	return v.Value, true
}

func (p *parser) integer(v *yaml.Node, key string, lo, hi int) (int, bool) {
	if v.Kind != yaml.ScalarNode {
		p.addf(v, "%s must be a whole number", key)
		return 0, false
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil || n < lo || n > hi {
		p.addf(v, "%s must be a whole number from %d to %d, not %q", key, lo, hi, v.Value)
		return 0, false
	}
	return n, true
}

func (p *parser) duration(v *yaml.Node, key string, lo, hi time.Duration) (time.Duration, bool) {
	s, ok := p.str(v, key)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		p.addf(v, "%s must be a duration from %s to %s such as \"30s\" or \"5m\", not %q", key, lo, hi, s)
		return 0, false
	}
	return d, true
}

func (p *parser) strList(v *yaml.Node, key string) []string {
	if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		return []string{v.Value} // a single value is a list of one
	}
	if v.Kind == yaml.ScalarNode {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.addf(v, "%s must be a list", key)
		return nil
	}
	var out []string
	for _, e := range v.Content {
		if s, ok := p.str(e, key+" entry"); ok {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) top(c *Config, root *yaml.Node) {
	var tzNode *yaml.Node
	p.fields(root, "the top level", map[string]func(k, v *yaml.Node){
		"database_url": func(_, v *yaml.Node) {
			if s, ok := p.str(v, "database_url"); ok {
				c.DatabaseURL = s
				if s != "" && !strings.HasPrefix(s, "postgres://") && !strings.HasPrefix(s, "postgresql://") && !strings.Contains(s, "=") {
					p.addf(v, "database_url must be a PostgreSQL URL (postgres://user@host:5432/ntm) or a key=value connection string")
				}
			}
		},
		"time_zone": func(_, v *yaml.Node) {
			if s, ok := p.str(v, "time_zone"); ok {
				c.TimeZone, tzNode = s, v
			}
		},
		"listen": func(_, v *yaml.Node) {
			if s, ok := p.str(v, "listen"); ok {
				if !strings.Contains(s, ":") {
					p.addf(v, "listen must be an address with a port, such as \"127.0.0.1:8080\" or \":8080\", not %q", s)
				}
				c.Listen = s
			}
		},
		"upload_limit_mb": func(_, v *yaml.Node) {
			if n, ok := p.integer(v, "upload_limit_mb", 1, 4096); ok {
				c.UploadLimit = int64(n) << 20
			}
		},
		"max_file_mb": func(_, v *yaml.Node) {
			if n, ok := p.integer(v, "max_file_mb", 1, 1<<20); ok {
				c.MaxFileSize = int64(n) << 20
			}
		},
		"network": func(_, v *yaml.Node) { p.network(c, v) },
		"reports": func(_, v *yaml.Node) { p.reports(c, v) },
		"sources": func(_, v *yaml.Node) { p.sources(c, v) },
		"jobs":    func(_, v *yaml.Node) { p.jobs(c, v) },
		"console": func(_, v *yaml.Node) { p.console(c, v) },
		"api":     func(_, v *yaml.Node) { p.api(c, v) },
	})
	if tzNode != nil {
		if c.TimeZone == "" {
			c.TimeZone = DefaultTimeZone
		}
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil || strings.EqualFold(c.TimeZone, "local") {
			p.addf(tzNode, "time_zone %q is not a known IANA time zone (for example Asia/Ho_Chi_Minh)", c.TimeZone)
		} else {
			c.Location = loc
		}
	}
}

func (p *parser) network(c *Config, n *yaml.Node) {
	p.fields(n, "network", map[string]func(k, v *yaml.Node){
		"timeout": func(_, v *yaml.Node) {
			if d, ok := p.duration(v, "network.timeout", time.Second, time.Hour); ok {
				c.Network.Timeout = d
			}
		},
		"retries": func(_, v *yaml.Node) {
			if n, ok := p.integer(v, "network.retries", 0, 20); ok {
				c.Network.Retries = n
			}
		},
		"backoff": func(_, v *yaml.Node) {
			if d, ok := p.duration(v, "network.backoff", time.Millisecond, 10*time.Minute); ok {
				c.Network.Backoff = d
			}
		},
		"max_download_mb": func(_, v *yaml.Node) {
			if n, ok := p.integer(v, "network.max_download_mb", 1, 1<<20); ok {
				c.Network.MaxDownload = int64(n) << 20
			}
		},
	})
}

var unitCodeRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z-]*$`)

func (p *parser) reports(c *Config, n *yaml.Node) {
	p.fields(n, "reports", map[string]func(k, v *yaml.Node){
		"out_dir": func(_, v *yaml.Node) {
			if s, ok := p.str(v, "reports.out_dir"); ok {
				if s == "" {
					p.addf(v, "reports.out_dir must name a folder")
				}
				c.Reports.OutDir = s
			}
		},
		"recipients": func(_, v *yaml.Node) {
			if v.Kind != yaml.MappingNode {
				p.addf(v, "reports.recipients must map unit codes to e-mail addresses")
				return
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, val := v.Content[i], v.Content[i+1]
				if !unitCodeRE.MatchString(k.Value) {
					p.addf(k, "recipient %q is not a unit code (for example \"187\" for Huyện Chi Lăng)", k.Value)
					continue
				}
				if _, dup := c.Reports.Recipients[k.Value]; dup {
					p.addf(k, "recipient %q is given twice", k.Value)
					continue
				}
				var addrs []string
				for j, a := range p.strList(val, "recipient "+k.Value) {
					if _, err := mail.ParseAddress(a); err != nil {
						at := val
						if val.Kind == yaml.SequenceNode && j < len(val.Content) {
							at = val.Content[j]
						}
						p.addf(at, "%q is not an e-mail address", a)
						continue
					}
					addrs = append(addrs, a)
				}
				c.Reports.Recipients[k.Value] = addrs
			}
		},
		"smtp": func(_, v *yaml.Node) {
			p.fields(v, "reports.smtp", map[string]func(k, v *yaml.Node){
				"host": func(_, v *yaml.Node) { c.Reports.SMTP.Host, _ = p.str(v, "smtp.host") },
				"port": func(_, v *yaml.Node) {
					if n, ok := p.integer(v, "smtp.port", 1, 65535); ok {
						c.Reports.SMTP.Port = n
					}
				},
				"username": func(_, v *yaml.Node) { c.Reports.SMTP.Username, _ = p.str(v, "smtp.username") },
				"password": func(_, v *yaml.Node) { c.Reports.SMTP.Password, _ = p.str(v, "smtp.password") },
				"from": func(_, v *yaml.Node) {
					if s, ok := p.str(v, "smtp.from"); ok {
						if _, err := mail.ParseAddress(s); err != nil {
							p.addf(v, "smtp.from %q is not an e-mail address", s)
						}
						c.Reports.SMTP.From = s
					}
				},
			})
		},
	})
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (p *parser) sources(c *Config, n *yaml.Node) {
	if yamlpos.IsNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.addf(n, "sources must be a list (each entry starts with \"- name: …\")")
		return
	}
	names := map[string]bool{}
	for i, e := range n.Content {
		what := fmt.Sprintf("source %d", i+1)
		s := Source{Line: e.Line, AsOf: AsOfFile}
		var kindNodes []*yaml.Node
		var kindValue *yaml.Node
		var nameNode, datasetNode *yaml.Node
		setKind := func(kind SourceKind) func(k, v *yaml.Node) {
			return func(k, v *yaml.Node) {
				kindNodes = append(kindNodes, k)
				kindValue = v
				if str, ok := p.str(v, string(kind)); ok {
					if str == "" {
						p.addf(v, "%s of %s is empty", kind, what)
					}
					s.Kind, s.Location = kind, str
				}
			}
		}
		p.fields(e, what, map[string]func(k, v *yaml.Node){
			"name": func(_, v *yaml.Node) { s.Name, _ = p.str(v, "name"); nameNode = v },
			"dataset": func(_, v *yaml.Node) {
				str, _ := p.str(v, "dataset")
				datasetNode = v
				d, err := ntm.ParseDataset(str)
				if err != nil {
					p.addf(v, "%v", err)
					return
				}
				s.Dataset = d
			},
			"path":  setKind(SourcePath),
			"glob":  setKind(SourceGlob),
			"inbox": setKind(SourceInbox),
			"url":   setKind(SourceURL),
			"as_of": func(_, v *yaml.Node) {
				str, _ := p.str(v, "as_of")
				switch AsOf(str) {
				case AsOfFile, AsOfToday:
					s.AsOf = AsOf(str)
				default:
					p.addf(v, "as_of must be \"file\" (from the rows or title, else the period's last day) or \"today\", not %q", str)
				}
			},
			"headers": func(_, v *yaml.Node) {
				if v.Kind != yaml.MappingNode {
					p.addf(v, "headers must map header names to values")
					return
				}
				s.Headers = map[string]string{}
				for j := 0; j+1 < len(v.Content); j += 2 {
					hv, _ := p.str(v.Content[j+1], "header "+v.Content[j].Value)
					s.Headers[v.Content[j].Value] = hv
				}
			},
			"timeout": func(_, v *yaml.Node) {
				if d, ok := p.duration(v, "timeout", time.Second, time.Hour); ok {
					s.Timeout = d
				}
			},
		})
		if e.Kind != yaml.MappingNode {
			continue
		}
		switch {
		case nameNode == nil:
			p.addf(e, "%s has no name", what)
		case !nameRE.MatchString(s.Name):
			p.addf(nameNode, "source name %q must be lower-case letters, digits, - and _", s.Name)
		case names[s.Name]:
			p.addf(nameNode, "source name %q is used twice", s.Name)
		}
		names[s.Name] = true
		if datasetNode == nil {
			p.addf(e, "source %q has no dataset (one of %v)", s.Name, ntm.Datasets)
		}
		switch len(kindNodes) {
		case 0:
			p.addf(e, "source %q says nowhere to read from: give one of path, glob, inbox or url", s.Name)
		case 1:
		default:
			p.addf(kindNodes[1], "source %q has both %s and %s: give only one of path, glob, inbox or url", s.Name, kindNodes[0].Value, kindNodes[1].Value)
		}
		if s.Kind == SourceURL && s.Location != "" {
			u, err := url.Parse(s.Location)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				p.addf(kindValue, "url %q of source %q is not an http:// or https:// address", s.Location, s.Name)
			}
		}
		if s.Kind != SourceURL && (s.Headers != nil || s.Timeout != 0) {
			p.addf(e, "source %q is not a url source: headers and timeout apply only to url sources", s.Name)
		}
		if s.Kind == SourceGlob && s.Location != "" {
			if _, err := matchCheck(s.Location); err != nil {
				p.addf(kindValue, "glob %q of source %q is not a valid pattern", s.Location, s.Name)
			}
		}
		c.Sources = append(c.Sources, s)
	}
}

// matchCheck validates a glob pattern.
func matchCheck(pattern string) (bool, error) {
	return filepath.Match(pattern, "")
}

var stepNames = []string{StepPull, StepEvaluate, StepReport}

func (p *parser) jobs(c *Config, n *yaml.Node) {
	if yamlpos.IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.addf(n, "jobs must map job names to their schedule and steps")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		if !nameRE.MatchString(name) {
			p.addf(k, "job name %q must be lower-case letters, digits, - and _", name)
			continue
		}
		if _, dup := c.Job(name); dup {
			p.addf(k, "job %q is defined twice", name)
			continue
		}
		j := Job{Name: name, Line: k.Line, Period: PeriodYesterday}
		if name == "nightly" {
			j = nightlyDefault()
			j.Line = k.Line
		}
		what := fmt.Sprintf("job %q", name)
		var srcNode *yaml.Node
		if yamlpos.IsNull(v) {
			c.Jobs = append(c.Jobs, j)
			continue
		}
		p.fields(v, what, map[string]func(k, v *yaml.Node){
			"schedule": func(_, v *yaml.Node) {
				s, ok := p.str(v, "schedule")
				if !ok {
					return
				}
				j.Schedule, j.Cron = s, nil
				if s == "" {
					return
				}
				sch, err := ParseSchedule(s)
				if err != nil {
					p.addf(v, "%v", err)
					return
				}
				j.Cron = sch
			},
			"steps": func(_, v *yaml.Node) {
				j.Steps = nil
				list := p.strList(v, "steps")
				for idx, s := range list {
					known := false
					for _, sn := range stepNames {
						known = known || s == sn
					}
					at := v
					if v.Kind == yaml.SequenceNode && idx < len(v.Content) {
						at = v.Content[idx]
					}
					if !known {
						p.addf(at, "unknown step %q in %s: use pull, evaluate and report", s, what)
						continue
					}
					j.Steps = append(j.Steps, s)
				}
				if len(list) == 0 {
					p.addf(v, "%s has no steps: use pull, evaluate and report", what)
				}
			},
			"sources": func(_, v *yaml.Node) {
				j.Sources = p.strList(v, "sources")
				srcNode = v
			},
			"period": func(_, v *yaml.Node) {
				s, _ := p.str(v, "period")
				switch PeriodRule(s) {
				case PeriodYesterday, PeriodCurrent, PeriodPrevious:
					j.Period = PeriodRule(s)
				default:
					p.addf(v, "period must be yesterday, current or previous, not %q", s)
				}
			},
		})
		if v.Kind != yaml.MappingNode {
			continue
		}
		if name != "nightly" && len(j.Steps) == 0 {
			if _, given := yamlpos.Lookup(v, "steps"); !given {
				p.addf(k, "%s has no steps: add steps: [pull, evaluate, report]", what)
			}
		}
		if srcNode != nil {
			p.jobSources = append(p.jobSources, jobSourceRef{job: name, node: srcNode, names: j.Sources})
		}
		c.Jobs = append(c.Jobs, j)
	}
}

type jobSourceRef struct {
	job   string
	node  *yaml.Node
	names []string
}

func (p *parser) console(c *Config, n *yaml.Node) {
	p.fields(n, "console", map[string]func(k, v *yaml.Node){
		"insecure_cookie": func(_, v *yaml.Node) {
			switch {
			case v.Kind == yaml.ScalarNode && v.Tag == "!!bool":
				c.Console.InsecureCookie = strings.EqualFold(v.Value, "true")
			default:
				p.addf(v, "console.insecure_cookie must be true or false, not %q", v.Value)
			}
		},
		"trusted_proxies": func(_, v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				p.addf(v, "console.trusted_proxies must be a list of addresses or CIDR ranges (for example 127.0.0.1 or 10.0.0.0/24)")
				return
			}
			for _, e := range v.Content {
				pr, err := ParseProxy(e.Value)
				if err != nil {
					p.addf(e, "console.trusted_proxies: %q is not an address or a CIDR range (for example 127.0.0.1 or 10.0.0.0/24)", e.Value)
					continue
				}
				c.Console.TrustedProxies = append(c.Console.TrustedProxies, pr)
			}
		},
		"session_ttl": func(_, v *yaml.Node) {
			if d, ok := p.duration(v, "console.session_ttl", time.Minute, 30*24*time.Hour); ok {
				c.Console.SessionTTL = d
			}
		},
		"users": func(_, v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				p.addf(v, "console.users must be a list of {name, password_hash}")
				return
			}
			seen := map[string]bool{}
			for i, e := range v.Content {
				var u User
				var hashNode *yaml.Node
				p.fields(e, fmt.Sprintf("console user %d", i+1), map[string]func(k, v *yaml.Node){
					"name":          func(_, v *yaml.Node) { u.Name, _ = p.str(v, "name") },
					"password_hash": func(_, v *yaml.Node) { u.PasswordHash, _ = p.str(v, "password_hash"); hashNode = v },
				})
				if e.Kind != yaml.MappingNode {
					continue
				}
				if u.Name == "" {
					p.addf(e, "console user %d has no name", i+1)
				} else if seen[u.Name] {
					p.addf(e, "console user %q is listed twice", u.Name)
				}
				seen[u.Name] = true
				if hashNode == nil {
					p.addf(e, "console user %q has no password_hash (make one with: ntm config hash-password)", u.Name)
				} else if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
					p.addf(hashNode, "password_hash of console user %q is not a bcrypt hash (make one with: ntm config hash-password)", u.Name)
				}
				c.Console.Users = append(c.Console.Users, u)
			}
		},
	})
}

// ParseProxy reads a trusted proxy: an address ("127.0.0.1", "::1") or a CIDR range.
func ParseProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		pr, err := netip.ParsePrefix(s)
		return pr.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

var hexRE = regexp.MustCompile(`^[0-9a-f]{64}$`)
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (p *parser) api(c *Config, n *yaml.Node) {
	p.fields(n, "api", map[string]func(k, v *yaml.Node){
		"tokens": func(_, v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				p.addf(v, "api.tokens must be a list of {name, sha256} or {name, env}")
				return
			}
			for i, e := range v.Content {
				var t Token
				var sum, env string
				var sumNode, envNode *yaml.Node
				p.fields(e, fmt.Sprintf("API token %d", i+1), map[string]func(k, v *yaml.Node){
					"name":   func(_, v *yaml.Node) { t.Name, _ = p.str(v, "name") },
					"sha256": func(_, v *yaml.Node) { sum, _ = p.str(v, "sha256"); sumNode = v },
					"env":    func(_, v *yaml.Node) { env, _ = p.str(v, "env"); envNode = v },
				})
				if e.Kind != yaml.MappingNode {
					continue
				}
				if t.Name == "" {
					p.addf(e, "API token %d has no name", i+1)
				}
				switch {
				case sumNode != nil && envNode != nil:
					p.addf(envNode, "API token %q has both sha256 and env: give one", t.Name)
				case sumNode != nil:
					sum = strings.ToLower(sum)
					if !hexRE.MatchString(sum) {
						p.addf(sumNode, "sha256 of API token %q must be 64 hex digits (make one with: ntm config hash-token)", t.Name)
						continue
					}
					t.SHA256 = sum
					c.API.Tokens = append(c.API.Tokens, t)
				case envNode != nil:
					if !envNameRE.MatchString(env) {
						p.addf(envNode, "env of API token %q must be an environment variable name", t.Name)
						continue
					}
					// An unset variable just means the token is not in use on this machine.
					if val := os.Getenv(env); val != "" {
						t.SHA256 = HashToken(val)
						c.API.Tokens = append(c.API.Tokens, t)
					}
				default:
					p.addf(e, "API token %q needs sha256 or env", t.Name)
				}
			}
		},
	})
}

// finish applies cross-checks and fills the built-in nightly job when the file has none.
func (p *parser) finish(c *Config) {
	if _, ok := c.Job("nightly"); !ok {
		c.Jobs = append([]Job{nightlyDefault()}, c.Jobs...)
	}
	for _, ref := range p.jobSources {
		for i, n := range ref.names {
			if _, ok := c.Source(n); !ok {
				at := ref.node
				if at.Kind == yaml.SequenceNode && i < len(at.Content) {
					at = at.Content[i]
				}
				p.addf(at, "job %q names source %q, which is not among the sources", ref.job, n)
			}
		}
	}
}
