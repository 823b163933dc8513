package msgtrk

// GenLog exports genLog to the external tests.
var GenLog = genLog
