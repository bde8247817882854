package facts

import (
	"strconv"
	"strings"
)

// cpuInfo is what Ansible's Linux hardware facts count in /proc/cpuinfo.
type cpuInfo struct {
	i, vendorIDs, modelNames, processors int
	sockets, cores                       orderedCounts
	physid, coreid                       string
	xenParavirt                          bool
}

// orderedCounts is a Python dict of ints: values()[0] is the first set.
type orderedCounts struct {
	keys   []string
	values map[string]int
}

func (o *orderedCounts) set(k string, v int) {
	if o.values == nil {
		o.values = map[string]int{}
	}
	if _, ok := o.values[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.values[k] = v
}

func (o *orderedCounts) has(k string) bool { _, ok := o.values[k]; return ok }

func (o *orderedCounts) first() (int, bool) {
	if len(o.keys) == 0 {
		return 0, false
	}
	return o.values[o.keys[0]], true
}

// cpuFacts follows Ansible's LinuxHardware.get_cpu_facts line by line.
func cpuFacts(d rawData, f map[string]any) {
	if !d.has("cpu") {
		return
	}
	c := &cpuInfo{}
	xen := d.first("xen") != ""
	for _, line := range d["cpu"] {
		key, val, _ := strings.Cut(line, ":")
		c.read(key, val, xen)
	}
	c.facts(f["architecture"].(string), atoiOr(d.first("nproc")), f)
}

func (c *cpuInfo) read(key, val string, xen bool) {
	switch key {
	case "flags":
		c.xenParavirt = c.xenParavirt || (xen && !strings.Contains(val, "vme"))
	case "model name", "Processor", "vendor_id", "cpu", "Vendor", "processor":
		c.countProcessorKey(key)
	case "physical id":
		c.physid = val
		if !c.sockets.has(val) {
			c.sockets.set(val, 1)
		}
	case "core id":
		c.coreid = val
		if !c.sockets.has(val) { // sic: Ansible checks sockets here
			c.cores.set(val, 1)
		}
	case "cpu cores":
		c.sockets.set(c.physid, atoi(val))
	case "siblings":
		c.cores.set(c.coreid, atoi(val))
	// "# processors" (s390) sets processor_cores, which the counts below
	// replace on every other machine; s390x gets no counts at all.
	case "ncpus active":
		c.i = atoi(val)
	}
}

func (c *cpuInfo) countProcessorKey(key string) {
	switch key {
	case "vendor_id":
		c.vendorIDs++
	case "model name":
		c.modelNames++
	case "processor":
		c.processors++
	}
	c.i++
}

func (c *cpuInfo) facts(arch string, nproc any, f map[string]any) {
	i := c.i
	if c.vendorIDs > 0 && c.vendorIDs == c.modelNames {
		i = c.vendorIDs
	}
	if strings.HasPrefix(arch, "armv") || strings.HasPrefix(arch, "aarch") || strings.HasPrefix(arch, "ppc") {
		i = c.processors
	}
	if arch == "s390x" {
		return
	}
	if c.xenParavirt {
		f["processor_count"], f["processor_cores"], f["processor_threads_per_core"], f["processor_vcpus"] = i, i, 1, i
	} else {
		c.counts(i, f)
	}
	f["processor_nproc"] = c.processors
	if n, ok := nproc.(int); ok {
		f["processor_nproc"] = n
	}
}

func (c *cpuInfo) counts(i int, f map[string]any) {
	count := i
	if len(c.sockets.keys) > 0 {
		count = len(c.sockets.keys)
	}
	cores := 1
	if v, ok := c.sockets.first(); ok && v != 0 {
		cores = v
	}
	threads := 1 / cores
	if v, ok := c.cores.first(); ok {
		threads = v / cores
	}
	f["processor_count"], f["processor_cores"], f["processor_threads_per_core"] = count, cores, threads
	f["processor_vcpus"] = threads * count * cores
}

func atoi(s string) int {
	v, _ := strconv.Atoi(strings.TrimSpace(s))
	return v
}
