package sim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

func newPSTestHost(rt Runtime) *psHost {
	return &psHost{fs: NewFS(), runtime: rt, hostname: winrmTestHost}
}

// psRun runs one command line to completion, as a WinRM Command would.
func psRun(h *psHost, line, stdin string) (code int, out *psTestOutput) {
	out = &psTestOutput{}
	return h.run(context.Background(), line, psTestStdin(stdin), out), out
}

func psScriptLine(script string) string { return psEncodedCommandLine(script) }

func TestPSVocabulary(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	seedStartVLLM(h.fs, winrmScriptPath)
	tests := []struct {
		name, line   string
		code         int
		stdout, errs string
	}{
		{"cmd hostname", "hostname", 0, "wintermute\r\n", ""},
		{"cmd /c", `C:\Windows\System32\cmd.exe /C echo via cmd`, 0, "via cmd\r\n", ""},
		{"cmd quoted /c", `cmd "/c" hostname`, 1, "", "not simulated"},
		{"cmd echo", "echo hello  world", 0, "hello  world\r\n", ""},
		{"cmd exit", "exit 3", 3, "", ""},
		{"cmd exit /b", "exit /b 4", 4, "", ""},
		{"cmd nvidia-smi", "nvidia-smi --query-gpu=" + psNvidiaQueryFields + " --format=csv,noheader,nounits", 0, winrmTestGPUCSV, ""},
		{"cmd docker ps", `docker ps -a --filter "name=^vllm-wintermute$" --format "{{json .}}"`, 0, winrmTestDocker, ""},
		{"cmd docker ps no container", `docker ps -a --filter "name=^other$" --format "{{json .}}"`, 0, "", ""},
		{"cmd unknown", `dir C:\`, 1, "", `not simulated: dir C:\`},
		{"cmd pipe", "hostname | findstr x", 1, "", "not simulated: hostname | findstr x"},
		{"cmd other gpu query", "nvidia-smi --query-gpu=index --format=csv", 1, "", "not simulated"},
		{"ps output", psScriptLine("$name = 'lab'; Write-Output \"hello $name\""), 0, "hello lab\r\n", ""},
		{"ps string", psScriptLine(`'{"exists":false}'`), 0, "{\"exists\":false}\r\n", ""},
		{"ps hostname", psScriptLine("$ProgressPreference = 'SilentlyContinue';hostname"), 0, "wintermute\r\n", ""},
		{"ps exit lastexitcode", psScriptLine("nvidia-smi --query-gpu=" + psNvidiaQueryFields + " --format=csv,noheader,nounits\nexit $LASTEXITCODE"), 0, winrmTestGPUCSV, ""},
		{"ps docker variable", psScriptLine("$c = 'vllm-wintermute'\ndocker ps -a --filter \"name=^$c$\" --format '{{json .}}'"), 0, winrmTestDocker, ""},
		{"ps exit", psScriptLine("exit 7"), 7, "", ""},
		{"ps unknown", psScriptLine("Get-Process"), 1, "", "not simulated: Get-Process"},
		{"ps pipeline", psScriptLine("hostname | Out-Null"), 1, "", "not simulated: hostname | Out-Null"},
		{"ps stops at unknown", psScriptLine("Remove-Item C:\\x\nexit 0"), 1, "", "not simulated: Remove-Item C:\\x"},
		{"ps comment", psScriptLine("<# block #>\n# line\nhostname # trailing"), 0, "wintermute\r\n", ""},
		{"pywinrm form", "powershell -encodedcommand " + psUTF16Base64("hostname"), 0, "wintermute\r\n", ""},
		{"ps -Command", `powershell.exe -NoProfile -Command hostname`, 0, "wintermute\r\n", ""},
		{"ps -File handler", `powershell.exe -ExecutionPolicy Bypass -File ` + winrmScriptPath + ` -Action Restart`, 0, "", ""},
		{"ps Restart-Service", psScriptLine("Restart-Service -Name 'vllm' -Force"), 1, "", "Restart-Service : Cannot find any service with service name &#39;vllm&#39;."},
		{"ps Start-Service", psScriptLine("Start-Service -Name 'it''s'"), 1, "", "Start-Service : Cannot find any service with service name &#39;it&#39;s&#39;."},
		{"ps Restart-Service stop", psScriptLine("Restart-Service -Name 'vllm' -ErrorAction Stop\nexit $LASTEXITCODE"), 1, "", "Restart-Service : Cannot find any service"},
		{"ps Stop-Service other form", psScriptLine("Stop-Service vllm"), 1, "", "not simulated: Stop-Service vllm"},
		{"ps bad base64", "powershell.exe -EncodedCommand !!!", 1, "", "not simulated: powershell.exe -EncodedCommand !!!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := psRun(h, tt.line, "")
			if code != tt.code || out.stdout.String() != tt.stdout || !strings.Contains(out.stderr.String(), tt.errs) {
				t.Errorf("exit %d stdout %q stderr %q; want exit %d stdout %q stderr containing %q",
					code, out.stdout.String(), out.stderr.String(), tt.code, tt.stdout, tt.errs)
			}
		})
	}
}

func psUTF16Base64(script string) string {
	line := psEncodedCommandLine(script)
	return line[strings.LastIndex(line, " ")+1:]
}

func TestPSErrorsAreCLIXML(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	_, out := psRun(h, psScriptLine("Get-Item 'a_x0041_b'"), "")
	got := out.stderr.String()
	want := "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">" +
		"<S S=\"Error\">not simulated: Get-Item &#39;a_x005F_x0041_b&#39;_x000D__x000A_</S></Objs>"
	if got != want {
		t.Errorf("stderr\n%q\nwant\n%q", got, want)
	}
}

// seedHandler is the seed's restart handler after templating.
func seedHandler(scriptPath string) string {
	return "$scriptPath = \"" + scriptPath + "\"\n" +
		"if (Test-Path $scriptPath) {\n" +
		"  & $scriptPath -Action Restart\n" +
		"}\n"
}

func TestPSSeedRestartHandler(t *testing.T) {
	tests := []struct {
		name       string
		scriptOnFS bool
		restartErr error
		code       int
		restarts   int32
		errs       string
	}{
		{"script present", true, nil, 0, 1, ""},
		{"script absent: Test-Path guards", false, nil, 0, 0, ""},
		{"restart fails", true, errWinRMTestRestart, 1, 1, "docker run failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &winrmFakeRuntime{restartErr: tt.restartErr}
			h := newPSTestHost(rt)
			if tt.scriptOnFS {
				seedStartVLLM(h.fs, strings.ToUpper(winrmScriptPath)) // NTFS ignores case
			}
			code, out := psRun(h, psScriptLine(seedHandler(winrmScriptPath)), "")
			if code != tt.code || rt.restarts.Load() != tt.restarts || !strings.Contains(out.stderr.String(), tt.errs) {
				t.Errorf("exit %d, %d restarts, stderr %q; want exit %d, %d restarts, stderr with %q",
					code, rt.restarts.Load(), out.stderr.String(), tt.code, tt.restarts, tt.errs)
			}
		})
	}
}

func TestPSIfElse(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.fs.WriteFile(`C:\data\a.txt`, []byte("x"))
	script := "if (Test-Path -LiteralPath 'C:\\data' -PathType Container) { echo dir }\n" +
		"if (!(Test-Path 'C:\\data\\b.txt')) { echo no-b } else { echo b }\n" +
		"if (Test-Path 'C:\\data\\b.txt')\n{ echo b }\nelseif (Test-Path 'C:\\data\\a.txt') { echo a }\nelse { echo none }"
	code, out := psRun(h, psScriptLine(script), "")
	if code != 0 || out.stdout.String() != "dir\r\nno-b\r\na\r\n" {
		t.Errorf("exit %d stdout %q stderr %q", code, out.stdout.String(), out.stderr.String())
	}
}

func psContractJSON(t *testing.T, out *psTestOutput, v any) {
	t.Helper()
	if !strings.HasSuffix(out.stdout.String(), "\r\n") || strings.Count(out.stdout.String(), "\n") != 1 {
		t.Fatalf("want one line of JSON, got %q", out.stdout.String())
	}
	if err := json.Unmarshal([]byte(out.stdout.String()), v); err != nil {
		t.Fatal(err)
	}
}

func TestPSContractWriteFile(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.fs.WriteFile(winrmConfigPath, []byte("old"))
	content := []byte("vllm:\r\n  served_model_name: \"llama31-8b-wintermute\"\r\n")
	backup := winrmConfigPath + ".bak"
	script := writeFileScript(winrmConfigPath, psSHA256Hex(content), backup)
	code, out := psRun(h, psScriptLine(script), base64Lines(content))
	var res psWriteResult
	psContractJSON(t, out, &res)
	if code != 0 || res.SHA256 != psSHA256Hex(content) || res.Backup != backup {
		t.Fatalf("exit %d result %+v stderr %q", code, res, out.stderr.String())
	}
	if got, _ := h.fs.ReadFile(winrmConfigPath); string(got) != string(content) {
		t.Errorf("file holds %q", got)
	}
	if got, _ := h.fs.ReadFile(backup); string(got) != "old" {
		t.Errorf("backup holds %q", got)
	}
	if h.fs.Exists(winrmConfigPath + ".straylight-tmp") {
		t.Error("temp file left behind")
	}
}

func TestPSContractWriteFileHashMismatch(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.fs.WriteFile(winrmConfigPath, []byte("old"))
	wrong := strings.Repeat("0", 64)
	code, out := psRun(h, psScriptLine(writeFileScript(winrmConfigPath, wrong, winrmConfigPath+".bak")), base64Lines([]byte("new")))
	want := "hash mismatch: expected " + wrong + ", got " + psSHA256Hex([]byte("new"))
	if code != 2 || !strings.HasPrefix(out.stderr.String(), "#< CLIXML\r\n") || !strings.Contains(out.stderr.String(), want) {
		t.Fatalf("exit %d stderr %q", code, out.stderr.String())
	}
	if got := h.fs.List(); len(got) != 1 {
		t.Errorf("filesystem changed: %v", got)
	}
}

func TestPSContractReadFile(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.fs.WriteFile(winrmConfigPath, []byte("a'b"))
	var present psFilePresent
	_, out := psRun(h, psScriptLine(readFileScript(strings.ToLower(winrmConfigPath))), "")
	psContractJSON(t, out, &present)
	if content, _ := base64.StdEncoding.DecodeString(present.Content); !present.Exists || string(content) != "a'b" ||
		present.SHA256 != psSHA256Hex([]byte("a'b")) {
		t.Errorf("got %+v", present)
	}
	_, out = psRun(h, psScriptLine(readFileScript(`C:\it's\missing.yml`)), "")
	if out.stdout.String() != "{\"exists\":false}\r\n" {
		t.Errorf("missing file: %q", out.stdout.String())
	}
}

func TestPSContractHostStatus(t *testing.T) {
	rt := &winrmFakeRuntime{}
	code, out := psRun(newPSTestHost(rt), psScriptLine(hostStatusScript("vllm-wintermute")), "")
	var st psHostStatus
	psContractJSON(t, out, &st)
	if code != 0 || st.GPUCSV != psJoinLines(winrmTestGPUCSV) || st.Docker != psJoinLines(winrmTestDocker) || st.GPUExit != 0 || st.DockerExit != 0 {
		t.Errorf("exit %d status %+v", code, st)
	}
	if len(rt.dockerAsks) != 1 || rt.dockerAsks[0] != "vllm-wintermute" {
		t.Errorf("docker asked for %v", rt.dockerAsks)
	}
}

func TestPSContractUnknown(t *testing.T) {
	code, out := psRun(newPSTestHost(nil), psScriptLine("# straylight:format-disk v1\n$Drive = 'C'"), "")
	if code != 1 || !strings.Contains(out.stderr.String(), "not simulated: # straylight:format-disk v1") {
		t.Errorf("exit %d stderr %q", code, out.stderr.String())
	}
}

func FuzzPowerShellScript(f *testing.F) {
	for _, seed := range []string{
		seedHandler(winrmScriptPath), readFileScript(winrmConfigPath), hostStatusScript("x"),
		writeFileScript(winrmConfigPath, "00", "b"), "if ((Test-Path 'a')) { exit 1 } else { 'x' }",
		"$a = \"`$x ${b} $(c)\"; echo \"$a\"", "exit $LASTEXITCODE", `cmd /c "exit /b 3"`,
		"powershell -e aABvAHMAdABuAGEAbQBlAA==", `docker ps -a --filter "name=^x$" --format "{{json .}}"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, script string) {
		h := newPSTestHost(&winrmFakeRuntime{})
		h.fs.WriteFile(winrmScriptPath, nil)
		out := &psTestOutput{}
		newPSSession(context.Background(), h, psTestStdin("AAAA"), out).runScript(script)
		h.run(context.Background(), script, psTestStdin("AAAA"), out) // the same text as a command line
	})
}
