package serviceparity_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// The collection versions compared with: those of the ansible 9.13.0
// package, which .ci/venvs unpacks into the cache.
const (
	e2eCommunityDocker  = "3.13.3"
	e2eContainersPodman = "1.16.2"
)

// e2ePinnedCollection is the folder holding ansible_collections/COLLECTION
// (namespace/name) at the pinned version: the one .ci/venvs unpacks into
// the cache, or the one the environment variable names. Missing, the test
// is skipped with a message (failed under STRAYLIGHT_REQUIRE_ORACLES=1).
func e2ePinnedCollection(t *testing.T, collection, version, env string) string {
	t.Helper()
	dir := os.Getenv(env)
	if dir == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			cache = filepath.Join(os.Getenv("HOME"), ".cache")
		}
		dir = filepath.Join(cache, "straylight", "collections")
	}
	if v, err := e2ePinnedCollectionVersion(dir, collection); err != nil || v != version {
		parity.MissingOracle(t, fmt.Sprintf("%s %s in %s (run .ci/venvs): found %q, %v", strings.ReplaceAll(collection, "/", "."), version, dir, v, err))
		t.SkipNow()
	}
	return dir
}

func e2ePinnedCollectionVersion(dir, collection string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "ansible_collections", collection, "MANIFEST.json"))
	if err != nil {
		return "", err
	}
	var m struct {
		Info struct{ Version string } `json:"collection_info"`
	}
	err = json.Unmarshal(data, &m)
	return m.Info.Version, err
}
