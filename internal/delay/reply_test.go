package delay

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// getter returns a header lookup over lines, as http.Header.Get: the first
// value of the named header, or "".
func getter(lines [][2]string) func(string) string {
	return func(name string) string {
		for _, l := range lines {
			if l[0] == name {
				return l[1]
			}
		}
		return ""
	}
}

func TestReplyHeader(t *testing.T) {
	tests := []struct {
		reply Reply
		want  [][2]string
	}{{
		reply: DefaultReply,
		want:  [][2]string{{"Looptest-Delay", "0s"}, {"Looptest-Status", "200"}, {"Looptest-Body", `"OK"`}},
	}, {
		reply: Reply{Delay: 1500 * time.Millisecond, Status: 302, Body: "line 1\r\nline 2\n"},
		want:  [][2]string{{"Looptest-Delay", "1.5s"}, {"Looptest-Status", "302"}, {"Looptest-Body", `"line 1\r\nline 2\n"`}},
	}, {
		reply: Reply{Delay: 1500 * time.Nanosecond, Status: 599, Body: "é 100%"},
		want:  [][2]string{{"Looptest-Delay", "1.5us"}, {"Looptest-Status", "599"}, {"Looptest-Body", `"\u00e9 100%"`}},
	}, {
		reply: Reply{Delay: time.Second, Status: 200, Body: "OK", Fault: FaultCloseMidBody},
		want:  [][2]string{{"Looptest-Delay", "1s"}, {"Looptest-Status", "200"}, {"Looptest-Body", `"OK"`}, {"Looptest-Fault", "close-mid-body"}},
	}, {
		reply: Reply{Status: 200, Body: "OK", Fault: "bad\nfault"},
		want:  [][2]string{{"Looptest-Delay", "0s"}, {"Looptest-Status", "200"}, {"Looptest-Body", `"OK"`}, {"Looptest-Fault", `"bad\nfault"`}},
	}}
	for _, tt := range tests {
		if got := tt.reply.Header(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v.Header() = %q, want %q", tt.reply, got, tt.want)
		}
	}
}

func TestReplyRoundTrip(t *testing.T) {
	tests := []Reply{
		DefaultReply,
		{Delay: 2 * time.Second, Status: 302, Body: "Found"},
		{Delay: 1500 * time.Millisecond, Status: 100, Body: ""},
		{Delay: time.Nanosecond, Status: 204, Body: " leading and trailing spaces "},
		{Delay: 90 * time.Minute, Status: 500, Body: "multi\nline\r\nbody\n"},
		{Status: 404, Body: "unicode: héllo, 世界, 🙂"},
		{Status: 200, Body: `percent %41 %zz, quotes "' and \ backslash`},
		{Status: 200, Body: "\x00\x7f\xff not UTF-8 \xc3"},
		{Status: 200, Body: "%"},
		{Delay: time.Second, Status: 200, Body: "OK", Fault: FaultReset},
		{Status: 200, Body: "half", Fault: FaultCloseMidBody},
		{Status: 200, Body: "OK", Fault: FaultHang},
		{Status: 200, Body: "OK", Fault: FaultRefuse},
	}
	for _, want := range tests {
		got, err := ParseReply(getter(want.Header()))
		if err != nil {
			t.Errorf("ParseReply(%+v.Header()): %v", want, err)
			continue
		}
		if got != want {
			t.Errorf("ParseReply(%+v.Header()) = %+v", want, got)
		}
	}
}

func TestParseReplyDefaults(t *testing.T) {
	tests := []struct {
		name   string
		header [][2]string
		want   Reply
	}{
		{name: "no headers", want: DefaultReply},
		{name: "delay only", header: [][2]string{{HeaderDelay, "2s"}}, want: Reply{Delay: 2 * time.Second, Status: 200, Body: "OK"}},
		{name: "status only", header: [][2]string{{HeaderStatus, "404"}}, want: Reply{Status: 404, Body: "OK"}},
		{name: "body only", header: [][2]string{{HeaderBody, `"hi"`}}, want: Reply{Status: 200, Body: "hi"}},
		{name: "spaces around values", header: [][2]string{{HeaderDelay, " 10ms "}, {HeaderStatus, " 201 "}}, want: Reply{Delay: 10 * time.Millisecond, Status: 201, Body: "OK"}},
		{name: "microseconds as µs", header: [][2]string{{HeaderDelay, "3µs"}}, want: Reply{Delay: 3 * time.Microsecond, Status: 200, Body: "OK"}},
		{name: "fault only", header: [][2]string{{HeaderFault, " hang "}}, want: Reply{Status: 200, Body: "OK", Fault: FaultHang}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReply(getter(tt.header))
			if err != nil || got != tt.want {
				t.Errorf("ParseReply = %+v, %v; want %+v, nil", got, err, tt.want)
			}
		})
	}
}

func TestParseReplyErrors(t *testing.T) {
	tests := []struct {
		name, header, value string
		want                string
	}{
		{"delay without unit", HeaderDelay, "1500", `Looptest-Delay: bad value "1500": `},
		{"delay in words", HeaderDelay, "two seconds", `Looptest-Delay: bad value "two seconds": `},
		{"negative delay", HeaderDelay, "-1s", `Looptest-Delay: bad value "-1s": negative delay -1s`},
		{"status not a number", HeaderStatus, "OK", `Looptest-Status: bad value "OK": not an integer`},
		{"status too low", HeaderStatus, "99", `Looptest-Status: bad value "99": status 99 is not from 100 to 599`},
		{"status too high", HeaderStatus, "600", `Looptest-Status: bad value "600": status 600 is not from 100 to 599`},
		{"body not quoted", HeaderBody, "hello", `Looptest-Body: bad value "hello": not a double-quoted string`},
		{"body back-quoted", HeaderBody, "`hello`", "Looptest-Body: bad value \"`hello`\": not a double-quoted string"},
		{"body unterminated", HeaderBody, `"hello`, `Looptest-Body: bad value "\"hello": not a valid Go string literal`},
		{"body bad escape", HeaderBody, `"\q"`, `Looptest-Body: bad value "\"\\q\"": not a valid Go string literal`},
		{"unknown fault", HeaderFault, "explode", `Looptest-Fault: bad value "explode": unknown fault "explode": expected reset, close-mid-body, hang or refuse`},
		{"fault in capitals", HeaderFault, "RESET", `Looptest-Fault: bad value "RESET": unknown fault`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseReply(getter([][2]string{{tt.header, tt.value}}))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("ParseReply with %s: %q: error %v, want one starting %q", tt.header, tt.value, err, tt.want)
			}
			var herr *HeaderError
			if !errors.As(err, &herr) || herr.Name != tt.header || herr.Value != tt.value {
				t.Errorf("ParseReply error %#v, want a *HeaderError for %s: %q", err, tt.header, tt.value)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		reply Reply
		ok    bool
	}{
		{DefaultReply, true},
		{Reply{Status: 100}, true},
		{Reply{Status: 599, Delay: time.Hour}, true},
		{Reply{Status: 99}, false},
		{Reply{Status: 600}, false},
		{Reply{Status: 200, Delay: -time.Nanosecond}, false},
		{Reply{Status: 200, Fault: FaultReset}, true},
		{Reply{Status: 200, Fault: "Reset"}, false},
	}
	for _, tt := range tests {
		if err := tt.reply.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v.Validate() = %v, want ok %v", tt.reply, err, tt.ok)
		}
	}
}

// FuzzReplyRoundTrip checks that ParseReply decodes what Header encodes:
// the same Reply if it is valid, an error if not, and that every header
// value can be sent in an HTTP request.
func FuzzReplyRoundTrip(f *testing.F) {
	f.Add(int64(0), 200, "OK", "")
	f.Add(int64(1500*time.Millisecond), 302, "a\r\nb\n", "close-mid-body")
	f.Add(int64(1500), 100, "", "reset")
	f.Add(int64(-1), 600, "%zz \"\\ \xff", "hang\n")
	f.Add(int64(1<<63-1), 599, "héllo 🙂", " refuse")
	f.Fuzz(func(t *testing.T, delay int64, status int, body, fault string) {
		want := Reply{Delay: time.Duration(delay), Status: status, Body: body, Fault: Fault(fault)}
		header := want.Header()
		for _, h := range header {
			if !validHeaderValue(h[1]) {
				t.Fatalf("%+v.Header(): %s: %q cannot be sent", want, h[0], h[1])
			}
		}
		got, err := ParseReply(getter(header))
		if want.Validate() != nil {
			if err == nil {
				t.Fatalf("ParseReply(%+v.Header()) = %+v, want an error", want, got)
			}
			return
		}
		if err != nil || got != want {
			t.Fatalf("ParseReply(%+v.Header()) = %+v, %v", want, got, err)
		}
	})
}

// validHeaderValue reports whether v is printable ASCII that HTTP keeps as
// is: no control characters, no spaces at either end.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return v == strings.TrimSpace(v)
}
