package load

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads the server's /metrics. It returns nil, nil when the server
// has no metrics endpoint.
func scrape(ctx context.Context, server string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(server, "/")+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

// gauge sums a family's gauge or counter values.
func gauge(m map[string]*dto.MetricFamily, name string) (float64, bool) {
	f := m[name]
	if f == nil {
		return 0, false
	}
	var sum float64
	for _, x := range f.Metric {
		switch {
		case x.Gauge != nil:
			sum += x.Gauge.GetValue()
		case x.Counter != nil:
			sum += x.Counter.GetValue()
		}
	}
	return sum, true
}

// counted is how much counter name grew from scrape m0 to scrape m1, or
// -1 if the server does not have it.
func counted(m0, m1 map[string]*dto.MetricFamily, name string) int64 {
	v0, ok := gauge(m0, name)
	if !ok {
		return -1
	}
	v1, _ := gauge(m1, name)
	return int64(v1 - v0)
}

// fanOutFamily is our server's histogram of the time to a packet's last
// copy.
const fanOutFamily = "rooms_fanout_seconds"

// latencyFamily picks the forwarding-latency histogram.
func latencyFamily(m map[string]*dto.MetricFamily) *dto.MetricFamily {
	names := make([]string, 0, len(m))
	for n, f := range m {
		if f.GetType() == dto.MetricType_HISTOGRAM && strings.Contains(n, "forward") && strings.Contains(n, "latency") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil
	}
	return m[names[0]]
}

// buckets returns a histogram's cumulative bucket counts by upper bound,
// summed over its label sets.
func buckets(f *dto.MetricFamily) map[float64]float64 {
	out := map[float64]float64{}
	if f == nil {
		return out
	}
	for _, x := range f.Metric {
		if x.Histogram == nil {
			continue
		}
		hasInf := false
		for _, b := range x.Histogram.Bucket {
			out[b.GetUpperBound()] += float64(b.GetCumulativeCount())
			hasInf = hasInf || math.IsInf(b.GetUpperBound(), 1)
		}
		// The text format lists the +Inf bucket; the protobuf one leaves
		// it to the sample count.
		if !hasInf {
			out[math.Inf(1)] += float64(x.Histogram.GetSampleCount())
		}
	}
	return out
}

// histogramPercentiles returns the p-th percentiles, in microseconds, of
// the observations made between two scrapes (end minus start), by linear
// interpolation within buckets. Values are in the histogram's unit
// (seconds) and converted.
func histogramPercentiles(start, end map[float64]float64, ps ...float64) []float64 {
	bounds := make([]float64, 0, len(end))
	for b := range end {
		bounds = append(bounds, b)
	}
	sort.Float64s(bounds)
	delta := make([]float64, len(bounds))
	for i, b := range bounds {
		delta[i] = end[b] - start[b]
	}
	out := make([]float64, len(ps))
	if len(bounds) == 0 || delta[len(delta)-1] <= 0 {
		return out
	}
	total := delta[len(delta)-1]
	for k, p := range ps {
		rank := p / 100 * total
		prevBound, prevCount := 0.0, 0.0
		for i, b := range bounds {
			if delta[i] >= rank {
				if math.IsInf(b, 1) {
					out[k] = prevBound * 1e6
					break
				}
				frac := 0.0
				if delta[i] > prevCount {
					frac = (rank - prevCount) / (delta[i] - prevCount)
				}
				out[k] = (prevBound + frac*(b-prevBound)) * 1e6
				break
			}
			prevBound, prevCount = b, delta[i]
		}
	}
	return out
}
