package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// newLiteLLMServer serves LiteLLM fixtures on loopback: the /health/* routes
// are public, every other route answers the fixture 401 body without the key.
func newLiteLLMServer(t *testing.T) string {
	t.Helper()
	routes := map[string]reply{
		"/health/liveliness": jsonReply(200, fixture(t, "litellm_health_liveliness.json")),
		"/health/readiness":  jsonReply(200, fixture(t, "litellm_health_readiness__no_db.json")),
		"/v1/models":         jsonReply(200, fixture(t, "litellm_v1_models.json")),
		"/model/info":        jsonReply(200, fixture(t, "litellm_model_info__excerpt.json")),
		"/health":            jsonReply(200, fixture(t, "litellm_health.json")),
	}
	noKey := jsonReply(http.StatusUnauthorized, fixture(t, "litellm_error_401_no_api_key.json"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep, ok := routes[r.URL.Path]
		switch {
		case !ok:
			rep = jsonReply(http.StatusNotFound, []byte(`{"detail":"Not Found"}`))
		case !strings.HasPrefix(r.URL.Path, "/health/") && r.Header.Get("Authorization") != "Bearer "+testKey:
			rep = noKey
		}
		writeReply(w, r, rep)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestLiteLLMClient(t *testing.T) {
	c := NewLiteLLM(newLiteLLMServer(t)+"/v1", nil)
	ctx := context.Background()
	if err := c.Liveliness(ctx); err != nil {
		t.Errorf("liveliness: %v", err)
	}
	if r, err := c.Readiness(ctx); err != nil || r.DB != "Not connected" {
		t.Errorf("readiness %+v, %v", r, err)
	}
	if aliases, err := c.Models(ctx, testKey); err != nil || !slices.Equal(aliases, []string{"local/reasoner", "local/fast"}) {
		t.Errorf("models %q, %v", aliases, err)
	}
	if d, err := c.ModelInfo(ctx, testKey); err != nil || len(d) != 1 || d[0].UpstreamModel() != "llama31-8b-wintermute" {
		t.Errorf("model info %+v, %v", d, err)
	}
	if h, err := c.Health(ctx, testKey); err != nil || len(h.Unhealthy) != 1 || KindOf(h.Unhealthy[0].Err) != KindWrongModelName {
		t.Errorf("health %+v, %v", h, err)
	}
}

func TestLiteLLMWithoutKey(t *testing.T) {
	c := NewLiteLLM(newLiteLLMServer(t), nil)
	_, err := c.Models(context.Background(), "")
	if e := asAPIError(t, err); e.Kind != KindAuth || e.Status != http.StatusUnauthorized {
		t.Fatalf("kind %v status %d", e.Kind, e.Status)
	}
	_, err = c.Models(context.Background(), "sk-wrong-SECRET-key")
	if KindOf(err) != KindAuth || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestLiteLLMLivelinessDown(t *testing.T) {
	if err := NewLiteLLM(refusedURL(t), nil).Liveliness(context.Background()); err == nil {
		t.Fatal("liveliness of a closed port succeeded")
	}
}
