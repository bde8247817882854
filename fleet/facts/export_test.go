package facts

// Gathered lists the hosts whose facts were gathered (or failed to be).
func (g *Gatherer) Gathered() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for name, h := range g.hosts {
		if h.asked() {
			out = append(out, name)
		}
	}
	return out
}
