package explore

// inversions lists the pairs of units that b runs in the other order than a, nearest in a first.
// A unit is told apart from its repeats by its occurrence number.
//
// Each unit of a is looked up once in b; the pairs are then read off by distance in a, so that
// they come out in order without a sort: O(n²) for n units, which any list of inversions may need.
func inversions(a, b []Unit) []Swap {
	inB := make(map[occurrence]int, len(b)) // where each occurrence runs in b
	for i, o := range occurrences(b) {
		inB[o] = i
	}
	at := make([]int, len(a)) // at[i]: where a[i] runs in b, or -1 if it does not
	for i, o := range occurrences(a) {
		if j, ok := inB[o]; ok {
			at[i] = j
		} else {
			at[i] = -1
		}
	}
	var swaps []Swap
	for dist := 1; dist < len(a); dist++ {
		for i := 0; i+dist < len(a); i++ {
			if x, y := at[i], at[i+dist]; x >= 0 && y >= 0 && x > y {
				swaps = append(swaps, Swap{First: a[i+dist], Second: a[i]})
			}
		}
	}
	return swaps
}

// before reports whether first runs before second in us (their first occurrences).
func before(us []Unit, first, second Unit) bool {
	fk, sk := first.key(), second.key()
	i, j := -1, -1
	for k := 0; k < len(us) && (i < 0 || j < 0); k++ {
		uk := us[k].key()
		if i < 0 && uk == fk {
			i = k
		}
		if j < 0 && uk == sk {
			j = k
		}
	}
	return i >= 0 && j >= 0 && i < j
}

// An occurrence is a unit told apart from its repeats: the n-th time, from 0, its key appears.
type occurrence struct {
	key unitKey
	n   int
}

// occurrences returns the occurrence of each of us.
func occurrences(us []Unit) []occurrence {
	seen := map[unitKey]int{}
	out := make([]occurrence, len(us))
	for i, u := range us {
		k := u.key()
		out[i] = occurrence{k, seen[k]}
		seen[k]++
	}
	return out
}
