/// The lntrace release, printed by `lntrace --version` and written into JSON reports.
let lntraceVersion = "0.1.0"
