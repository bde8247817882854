package render

import (
	"errors"
	"fmt"
	"math"
)

// addRandomFilters registers Ansible's random (which replaces Jinja2's)
// and shuffle (plugins/filter/core.py rand and randomize_list, the same
// at v2.14.18 and v2.19.14), drawing as CPython 3.11's random.Random
// does (pyrandom.go), so that a seeded draw renders as in Ansible.
func addRandomFilters(filters map[string]filter) {
	filters["random"] = filter{params: []string{"start", "step", "seed"}, fn: filterRandom}
	filters["shuffle"] = filter{params: []string{"seed"}, fn: filterShuffle}
}

// filterRandom is rand(end, start=None, step=None, seed=None):
// Random(seed), or SystemRandom() without a seed, made first; then
// randrange(start or 0, end, step or 1) for an int end, choice(end) for
// a sequence, and an error for anything else.
func filterRandom(in any, args []any) (any, error) {
	r, err := randomFor(or(args[2], nil))
	if err != nil {
		return nil, err
	}
	start, step := or(args[0], nil), or(args[1], nil)
	switch end := in.(type) {
	case bool:
		return randomRange(r, start, boolToInt(end), step)
	case int:
		return randomRange(r, start, end, step)
	case string, pyList, pyTuple, pyDict, groupsMap, *hostVarsView, *hostView:
		if pyTruthy(start) || pyTruthy(step) {
			return nil, errors.New("start and step can only be used with integer values")
		}
		return randomChoice(r, end)
	}
	return nil, errors.New("random can only be used on sequences and integers")
}

// randomFor is the generator rand uses: SystemRandom() when seed is None,
// else Random(seed).
func randomFor(seed any) (*pyRandom, error) {
	if seed == nil {
		return systemRandom(), nil
	}
	return seededRandom(seed)
}

// randomRange is rand's int case: a falsy start is 0, a falsy step 1,
// then Random.randrange(start, end, step).
func randomRange(r *pyRandom, start any, end int, step any) (any, error) {
	first, err := randrangeArg(start, 0, "arg 1")
	if err != nil {
		return nil, err
	}
	stride, err := randrangeArg(step, 1, "step")
	if err != nil {
		return nil, err
	}
	return r.randrange(first, end, stride)
}

// randrangeArg is how randrange reads start or step: a falsy value is
// rand's default; an int or a bool is itself; a float with an integral
// value is that int (deprecated in Python, accepted); anything else is a
// ValueError.
func randrangeArg(x any, falsy int, what string) (int, error) {
	if !pyTruthy(x) {
		return falsy, nil
	}
	switch v := x.(type) {
	case bool:
		return boolToInt(v), nil
	case int:
		return v, nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<63 {
			return int(v), nil
		}
	}
	return 0, fmt.Errorf("non-integer %s for randrange()", what)
}

// randomChoice is Random.choice(seq): the item at a random index; a
// string's character; a dict is indexed by an int, a key no dict here
// has (keys are strings), which is Python's KeyError.
func randomChoice(r *pyRandom, seq any) (any, error) {
	if s, ok := seq.(string); ok {
		runes := []rune(s)
		i, err := r.choiceIndex(len(runes))
		if err != nil {
			return nil, err
		}
		return string(runes[i]), nil
	}
	items, isList := asList(seq)
	n, err := pyLen(seq)
	if err != nil {
		n = 0
	}
	i, err := r.choiceIndex(n)
	switch {
	case err != nil:
		return nil, err
	case !isList:
		return nil, fmt.Errorf("KeyError: %d", i)
	}
	return items[i], nil
}

// filterShuffle is randomize_list(mylist, seed=None): list(mylist)
// shuffled by Random(seed) when seed is truthy, by the module's shared
// generator otherwise (here the system's: not reproducible either); any
// exception is swallowed, so a value that list() refuses comes back as
// it is, and a seed Random refuses leaves the list unshuffled.
func filterShuffle(in any, args []any) (any, error) {
	items, err := pyIter(in)
	if err != nil {
		return in, nil
	}
	list := append(pyList{}, items...)
	seed := or(args[0], nil)
	r := systemRandom()
	if pyTruthy(seed) {
		if !isSeedType(seed) {
			return list, nil
		}
		if r, err = seededRandom(seed); err != nil {
			return nil, err
		}
	}
	r.shuffle(list)
	return list, nil
}

// isSeedType tells whether Random.seed takes x (None, int, float, str;
// bytes never reach a template).
func isSeedType(x any) bool {
	switch x.(type) {
	case nil, bool, int, float64, string:
		return true
	}
	return false
}
