package sim

import (
	"fmt"
	"net/http"
	"strconv"
)

// LiteLLM's error body: {"error":{"message","type","param","code"}} with code
// a string and type/param sometimes null, sometimes the string "None"
// (ProxyException's str() of a missing value).
type litellmErrorBody struct {
	Error litellmErrorInfo `json:"error"`
}

type litellmErrorInfo struct {
	Message string  `json:"message"`
	Type    *string `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

func litellmError(status int, msg string, typ, param *string) litellmErrorBody {
	return litellmErrorBody{Error: litellmErrorInfo{Message: msg, Type: typ, Param: param, Code: strconv.Itoa(status)}}
}

func writeLiteLLMError(w http.ResponseWriter, status int, body litellmErrorBody) {
	writeJSON(w, status, body)
}

var pyNone = ptr("None")

// errNoAPIKey: litellm_error_401_no_api_key.json.
func errNoAPIKey() litellmErrorBody {
	return litellmError(http.StatusUnauthorized, "Authentication Error, No api key passed in.", ptr("auth_error"), pyNone)
}

// errNoDB: a key that is not the master key, on a proxy without a database
// (litellm_error_400_wrong_key_no_db.json).
func errNoDB() litellmErrorBody {
	return litellmError(http.StatusBadRequest, "No connected db.", ptr("no_db_connection"), nil)
}

// errUnknownAlias: litellm_error_400_unknown_model_alias.json.
func errUnknownAlias(route, model string) litellmErrorBody {
	inner := fmt.Sprintf("%s: Invalid model name passed in model=%s. Call `/v1/models` to view available models for your key.", route, model)
	return litellmError(http.StatusBadRequest, fmt.Sprintf("{'error': %s}", pyStrRepr(inner)), pyNone, pyNone)
}

// routerSuffix is what the router appends to a deployment's exception.
func routerSuffix(alias string) string {
	return fmt.Sprintf(". Received Model Group=%s\nAvailable Model Group Fallbacks=None", alias)
}

// errUpstreamDown: the connection to api_base failed
// (litellm_error_500_upstream_down.json).
func errUpstreamDown(alias string) litellmErrorBody {
	msg := "litellm.APIConnectionError: APIConnectionError: OpenAIException - Connection error" + routerSuffix(alias)
	return litellmError(http.StatusInternalServerError, msg, nil, nil)
}

// errUpstreamStatus maps an upstream HTTP error the way the openai client and
// LiteLLM's exception mapping do: "Error code: N - <python repr of the JSON
// body>" inside the exception class for N, status N kept
// (litellm_error_404_upstream_*.json).
func errUpstreamStatus(alias string, status int, body []byte) litellmErrorBody {
	msg := fmt.Sprintf("%s%s - %s%s", litellmExceptionPrefix(status), "OpenAIException", openAIErrorText(status, body), routerSuffix(alias))
	return litellmError(status, msg, nil, nil)
}

// openAIErrorText is openai-python's _make_status_error_from_response text.
func openAIErrorText(status int, body []byte) string {
	if repr, ok := pyReprJSON(body); ok {
		return fmt.Sprintf("Error code: %d - %s", status, repr)
	}
	if len(body) > 0 {
		return string(body)
	}
	return fmt.Sprintf("Error code: %d", status)
}

// litellmExceptionPrefix names LiteLLM's exception for an upstream status
// (exception_mapping_utils; BadRequestError has no doubled class name).
func litellmExceptionPrefix(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "litellm.BadRequestError: "
	case http.StatusUnauthorized:
		return "litellm.AuthenticationError: AuthenticationError: "
	case http.StatusNotFound:
		return "litellm.NotFoundError: NotFoundError: "
	case http.StatusUnprocessableEntity:
		return "litellm.UnprocessableEntityError: UnprocessableEntityError: "
	case http.StatusTooManyRequests:
		return "litellm.RateLimitError: RateLimitError: "
	case http.StatusServiceUnavailable:
		return "litellm.ServiceUnavailableError: ServiceUnavailableError: "
	}
	if status >= 500 {
		return "litellm.InternalServerError: InternalServerError: "
	}
	return "litellm.APIError: APIError: "
}

// midstreamError is the event LiteLLM's async_data_generator writes when the
// stream fails after it started: Python's spaced json.dumps, type and param
// "None" (litellm_chat_stream__midstream_error.sse).
func midstreamError(msg string, status int) []byte {
	return spacedJSON(compactJSON(litellmError(status, msg, pyNone, pyNone)))
}

// incompleteReadMessage is how LiteLLM reports an upstream stream that broke
// off mid chunked body.
const incompleteReadMessage = "litellm.APIConnectionError: APIConnectionError: OpenAIException - peer closed connection without sending complete message body (incomplete chunked read)"
