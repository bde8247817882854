package plan

// Live is what the live fleet said when a check probed it, beside the static
// lint: each server's state, what it serves against what the repository
// configures, and each route's live status.
type Live struct {
	Hosts  []LiveHost  `json:"hosts"`
	Routes []LiveRoute `json:"routes"`
}

// LiveHost is one server as its probe found it.
type LiveHost struct {
	Host     string   `json:"host"`
	Kind     string   `json:"kind"`
	URL      string   `json:"url"`
	State    string   `json:"state"`
	Reason   string   `json:"reason,omitempty"`
	Served   []string `json:"served"`
	Expected []string `json:"expected"`
	Mismatch bool     `json:"mismatch"`
	Metrics  string   `json:"metrics"` // "ok", or why there are none ("no metrics: ...")
}

// LiveRoute is one route's live status.
type LiveRoute struct {
	Route    string `json:"route"`
	Upstream string `json:"upstream"`
	Host     string `json:"host"`
	State    string `json:"state"`
	Detail   string `json:"detail,omitempty"`
}
