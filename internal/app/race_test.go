//go:build race

package app_test

// raceEnabled: the race detector makes everything several times slower,
// so the heaviest tests send less.
const raceEnabled = true
