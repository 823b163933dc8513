package correlate

// traceHeap orders open traces by deadline, then creation.
type traceHeap []*trace

func (h traceHeap) Len() int { return len(h) }
func (h traceHeap) Less(i, j int) bool {
	if h[i].hkey != h[j].hkey {
		return h[i].hkey < h[j].hkey
	}
	return h[i].seq < h[j].seq
}
func (h traceHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = i
	h[j].heapIdx = j
}
func (h *traceHeap) Push(x any) {
	tr := x.(*trace)
	tr.heapIdx = len(*h)
	*h = append(*h, tr)
}
func (h *traceHeap) Pop() any {
	old := *h
	tr := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	tr.heapIdx = -1
	return tr
}
