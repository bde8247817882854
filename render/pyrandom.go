package render

import (
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// pyRandom is CPython 3.11's random.Random (Lib/random.py over
// Modules/_randommodule.c): the methods Ansible's random and shuffle
// filters call, on 32-bit words from a Mersenne Twister seeded as Python
// seeds it, or from the system's entropy (random.SystemRandom).
type pyRandom struct {
	words wordSource
}

// wordSource yields uniformly random 32-bit words.
type wordSource interface {
	uint32() uint32
}

// mersenneTwister is MT19937 as _randommodule.c runs it (genrand_uint32).
type mersenneTwister struct {
	state [624]uint32
	index int
}

// systemWords is random.SystemRandom's source, os.urandom: here the
// operating system's through crypto/rand.
type systemWords struct{}

// uint32 is a word of the system's entropy.
func (systemWords) uint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return binary.LittleEndian.Uint32(b[:])
}

// systemRandom is random.SystemRandom(): not reproducible.
func systemRandom() *pyRandom {
	return &pyRandom{words: systemWords{}}
}

// seededRandom is random.Random(seed) for seed an int, bool, float or
// str (Random.seed, version 2); None is SystemRandom's in Ansible's
// filters and is the caller's to handle.
func seededRandom(seed any) (*pyRandom, error) {
	key, err := seedKey(seed)
	if err != nil {
		return nil, err
	}
	mt := &mersenneTwister{}
	mt.initByArray(key)
	return &pyRandom{words: mt}, nil
}

// seedKey is the key random_seed hands init_by_array: the 32-bit words,
// least significant first, of abs(int), of (size_t)hash(float), or of
// int.from_bytes(s.encode() + sha512(s.encode()).digest()) for a str;
// other types fail with Random.seed's TypeError.
func seedKey(seed any) ([]uint32, error) {
	switch v := seed.(type) {
	case bool:
		return uint64Words(uint64(boolToInt(v))), nil
	case int:
		return uint64Words(absInt64(int64(v))), nil
	case float64:
		hash, err := pyFloatHash(v)
		return uint64Words(uint64(hash)), err
	case string:
		return stringSeedWords(v), nil
	}
	//lint:ignore ST1005 Random.seed's TypeError, word for word
	return nil, errors.New("TypeError: The only supported seed types are: None,\nint, float, str, bytes, and bytearray.")
}

// absInt64 is abs(n) as an unsigned number (abs of the smallest int64
// fits).
func absInt64(n int64) uint64 {
	if n < 0 {
		return -uint64(n)
	}
	return uint64(n)
}

// uint64Words is n's 32-bit words, least significant first, without the
// leading zero words but one word for 0 (random_seed's key for an int).
func uint64Words(n uint64) []uint32 {
	if n>>32 == 0 {
		return []uint32{uint32(n)}
	}
	return []uint32{uint32(n), uint32(n >> 32)}
}

// stringSeedWords is Random.seed's version-2 key of a str: the UTF-8
// bytes followed by their SHA-512, read as a big-endian integer, split
// into 32-bit words least significant first.
func stringSeedWords(s string) []uint32 {
	digest := sha512.Sum512([]byte(s))
	n := new(big.Int).SetBytes(append([]byte(s), digest[:]...))
	return bigWords(n)
}

// bigWords is n's 32-bit words, least significant first (at least one).
func bigWords(n *big.Int) []uint32 {
	b := n.Bytes() // big-endian, no leading zeros
	count := max((len(b)+3)/4, 1)
	words := make([]uint32, count)
	for i := range b {
		shift := uint(len(b)-1-i) * 8
		words[shift/32] |= uint32(b[i]) << (shift % 32)
	}
	return words
}

// pyFloatHash is CPython's hash() of a float (_Py_HashDouble, Python
// 3.11): its value modulo 2**61 - 1, signed, -1 made -2; inf hashes to
// ±314159. NaN hashes by object identity, which nothing here can
// reproduce, so it is refused.
func pyFloatHash(v float64) (int64, error) {
	switch {
	case math.IsNaN(v):
		return 0, errors.New("a NaN seed is hashed by object identity in Python: its sequence cannot be reproduced")
	case math.IsInf(v, 1):
		return 314159, nil
	case math.IsInf(v, -1):
		return -314159, nil
	}
	hash := int64(hashPositiveFloat(math.Abs(v)))
	if v < 0 {
		hash = -hash
	}
	if hash == -1 {
		hash = -2
	}
	return hash, nil
}

// hashPositiveFloat is _Py_HashDouble's modular reduction of a finite
// v >= 0: 28 bits of the mantissa at a time, then the exponent as a
// rotation modulo 2**61 - 1.
func hashPositiveFloat(v float64) uint64 {
	const hashBits, modulus = 61, uint64(1)<<61 - 1
	m, e := math.Frexp(v)
	var x uint64
	for m != 0 {
		x = ((x << 28) & modulus) | x>>(hashBits-28)
		m *= 268435456.0
		e -= 28
		y := uint64(m)
		m -= float64(y)
		x += y
		if x >= modulus {
			x -= modulus
		}
	}
	if e >= 0 {
		e %= hashBits
	} else {
		e = hashBits - 1 - ((-1 - e) % hashBits)
	}
	return ((x << uint(e)) & modulus) | x>>(hashBits-uint(e))
}

// initGenrand is init_genrand(s).
func (mt *mersenneTwister) initGenrand(s uint32) {
	mt.state[0] = s
	for i := 1; i < len(mt.state); i++ {
		prev := mt.state[i-1]
		mt.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	mt.index = len(mt.state)
}

// initByArray is init_by_array(key), as random_seed calls it.
func (mt *mersenneTwister) initByArray(key []uint32) {
	const n = len(mt.state)
	mt.initGenrand(19650218)
	i, j := 1, 0
	for k := max(n, len(key)); k > 0; k-- {
		prev := mt.state[i-1]
		mt.state[i] = (mt.state[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + uint32(j)
		i, j = i+1, j+1
		if i >= n {
			mt.state[0], i = mt.state[n-1], 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k := n - 1; k > 0; k-- {
		prev := mt.state[i-1]
		mt.state[i] = (mt.state[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= n {
			mt.state[0], i = mt.state[n-1], 1
		}
	}
	mt.state[0] = 0x80000000
}

// uint32 is genrand_uint32: the next tempered word, regenerating the
// state every 624 words.
func (mt *mersenneTwister) uint32() uint32 {
	if mt.index >= len(mt.state) {
		mt.twist()
	}
	y := mt.state[mt.index]
	mt.index++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	return y ^ (y >> 18)
}

// twist regenerates the 624 words of state (genrand_uint32's refill).
func (mt *mersenneTwister) twist() {
	const n, m = 624, 397
	for k := range n {
		y := (mt.state[k] & 0x80000000) | (mt.state[(k+1)%n] & 0x7fffffff)
		next := mt.state[(k+m)%n] ^ (y >> 1)
		if y&1 != 0 {
			next ^= 0x9908b0df
		}
		mt.state[k] = next
	}
	mt.index = 0
}

// getrandbits is Random.getrandbits(k) for 0 <= k <= 64: one word's top
// k bits, or words filled least significant first, the last one's top
// bits only.
func (r *pyRandom) getrandbits(k int) uint64 {
	if k == 0 {
		return 0
	}
	if k <= 32 {
		return uint64(r.words.uint32() >> (32 - k))
	}
	low := uint64(r.words.uint32())
	high := uint64(r.words.uint32() >> (64 - k))
	return low | high<<32
}

// randbelow is Random._randbelow_with_getrandbits(n) for n > 0: draws
// of n.bit_length() bits until one is below n.
func (r *pyRandom) randbelow(n uint64) uint64 {
	k := bits.Len64(n)
	v := r.getrandbits(k)
	for v >= n {
		v = r.getrandbits(k)
	}
	return v
}

// randrange is Random.randrange(start, stop, step) on Python ints (the
// arguments already read as integers), with its ValueErrors.
func (r *pyRandom) randrange(start, stop, step int) (int, error) {
	width := new(big.Int).Sub(big.NewInt(int64(stop)), big.NewInt(int64(start)))
	if step == 1 {
		if width.Sign() <= 0 {
			return 0, fmt.Errorf("empty range for randrange() (%d, %d, %s)", start, stop, width)
		}
		return start + int(r.randbelow(width.Uint64())), nil
	}
	if step == 0 {
		return 0, errors.New("zero step for randrange()")
	}
	n := stepCount(width, step)
	if n.Sign() <= 0 {
		return 0, errors.New("empty range for randrange()")
	}
	offset := new(big.Int).Mul(big.NewInt(int64(step)), new(big.Int).SetUint64(r.randbelow(n.Uint64())))
	return int(offset.Add(offset, big.NewInt(int64(start))).Int64()), nil
}

// stepCount is randrange's n, the number of values in the range:
// (width + step - 1) // step for a positive step, (width + step + 1) //
// step for a negative one (Python's floor division).
func stepCount(width *big.Int, step int) *big.Int {
	bigStep := big.NewInt(int64(step))
	n := new(big.Int).Add(width, bigStep)
	if step > 0 {
		n.Sub(n, big.NewInt(1))
	} else {
		n.Add(n, big.NewInt(1))
	}
	quotient, modulus := new(big.Int).DivMod(n, bigStep, new(big.Int))
	if modulus.Sign() != 0 && step < 0 {
		quotient.Sub(quotient, big.NewInt(1)) // DivMod is Euclidean: floor for a negative divisor is one less
	}
	return quotient
}

// choiceIndex is the index Random.choice(seq) takes in a sequence of n
// items, with its IndexError for an empty one.
func (r *pyRandom) choiceIndex(n int) (int, error) {
	if n == 0 {
		return 0, errors.New("IndexError: Cannot choose from an empty sequence")
	}
	return int(r.randbelow(uint64(n))), nil
}

// shuffle is Random.shuffle(x): from the last item down, each swapped
// with one at or before it.
func (r *pyRandom) shuffle(x []any) {
	for i := len(x) - 1; i > 0; i-- {
		j := int(r.randbelow(uint64(i + 1)))
		x[i], x[j] = x[j], x[i]
	}
}
