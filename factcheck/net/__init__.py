"""The network layer: one HTTP client per Checker, with its cache, rate limits, time budgets,
retries, the SSRF guard and replays (`http.Http`). Resolvers reach the network only here."""
