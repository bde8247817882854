package api

import (
	"fmt"
	"strings"
)

// reasonFor writes the one-line human reason for a classified error.
func reasonFor(e *APIError, status int, w wireError, hint Hint) string {
	switch e.Kind {
	case KindAuth:
		return authReason(e, status, w, hint)
	case KindUnknownAlias:
		return fmt.Sprintf("LiteLLM has no model alias `%s` in its model_list (%d)", e.Alias, status)
	case KindWrongModelName:
		return wrongModelReason(e, status, hint)
	case KindWrongPath:
		return wrongPathReason(e, status, hint)
	case KindCooldown:
		return cooldownReason(e, status)
	case KindUpstreamDown:
		return fmt.Sprintf("LiteLLM could not reach %s (%d): %s",
			upstreamName(e, hint), status, shortMessage(e.Message))
	}
	return otherReason(e, status, w)
}

// upstreamName names the vLLM host behind LiteLLM as well as we know it.
func upstreamName(e *APIError, hint Hint) string {
	switch {
	case hint.Upstream != "":
		return hint.Upstream
	case e.Alias != "":
		return "the upstream of `" + e.Alias + "`"
	}
	return "its upstream"
}

func authReason(e *APIError, status int, w wireError, hint Hint) string {
	switch {
	case e.Via == "LiteLLM" && strings.Contains(e.Message, "OpenAIException"):
		return fmt.Sprintf("%s refused the api_key LiteLLM sent (%d); check litellm_params.api_key",
			upstreamName(e, hint), status)
	case w.errIsText:
		return fmt.Sprintf("vLLM refused the request: missing or wrong API key (%d %s)", status, w.message)
	case w.message == "No connected db." || w.typ == "no_db_connection":
		return fmt.Sprintf("LiteLLM rejected the key: a proxy without a database accepts "+
			"only its master key (%d No connected db.)", status)
	}
	msg := shortMessage(e.Message)
	if msg == "" {
		msg = "missing or wrong API key"
	}
	return fmt.Sprintf("%s refused the request: %s (%d)", who(e), msg, status)
}

func wrongModelReason(e *APIError, status int, hint Hint) string {
	if e.Via == "LiteLLM" {
		return fmt.Sprintf("LiteLLM asked %s for `%s`, which it does not serve (%d)",
			upstreamName(e, hint), e.Model, status)
	}
	name := hint.Upstream
	if name == "" {
		name = "vLLM"
	}
	return fmt.Sprintf("%s does not serve `%s` (%d); check --served-model-name", name, e.Model, status)
}

func wrongPathReason(e *APIError, status int, hint Hint) string {
	if e.Via == "LiteLLM" {
		return fmt.Sprintf("LiteLLM got {'detail': 'Not Found'} from %s: its api_base path is "+
			"wrong, it must end in /v1 (%d)", upstreamName(e, hint), status)
	}
	return fmt.Sprintf(`no such route: the server answered {"detail":"Not Found"} (%d); check the URL path`, status)
}

func cooldownReason(e *APIError, status int) string {
	alias := e.Alias
	if alias == "" {
		alias = "the model"
	} else {
		alias = "`" + alias + "`"
	}
	head := fmt.Sprintf("LiteLLM has every deployment of %s in cooldown after failures (%d)", alias, status)
	if cause := cooldownCause(e.Message); cause != "" {
		return head + "; last upstream error: " + cause
	}
	return head
}

// cooldownCause pulls the hidden upstream exception out of the cooldown_list
// that LiteLLM's 429 message carries as a Python repr.
func cooldownCause(msg string) string {
	m := cooldownCauseRE().FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	unescaped := strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(m[1])
	return oneLine(unescaped, 200)
}

func otherReason(e *APIError, status int, w wireError) string {
	msg := shortMessage(e.Message)
	if msg == "" {
		msg = oneLine(w.detail, 200)
	}
	if typ := oneLine(e.Type, 80); typ != "" && msg != "" && !strings.Contains(msg, typ) {
		msg = typ + ": " + msg
	}
	if msg == "" {
		return fmt.Sprintf("%s answered %d", who(e), status)
	}
	return fmt.Sprintf("%s answered %d: %s", who(e), status, msg)
}

func who(e *APIError) string {
	if e.Via == "" {
		return "the server"
	}
	return e.Via
}

// shortMessage drops LiteLLM's router suffix and folds the message onto one line.
func shortMessage(msg string) string {
	return oneLine(litellmTailRE().ReplaceAllString(msg, ""), 240)
}
