vcl 4.1;
# The edge cache in front of the tracker's app servers (docs/deploying.md, "The edge
# cache"; tracker/caching/edge.py says what the app servers send it).
#
# - It keeps what the app servers mark public (`Cache-Control: s-maxage`, an `xkey`
#   header naming the records and lists shown) for s-maxage seconds at most, and drops
#   it the moment the worker PURGEs one of its keys (vmod xkey, from varnish-modules).
# - Staff and signed-in readers, partners with an API key, the desk (/admin/) and every
#   write pass straight through: nothing of theirs is kept or served from here.
# - Readers never see the keys (they may name records not yet published) and get
#   `Cache-Control: no-cache` back, so caches that are not ours revalidate every use.
#
# `make cluster` writes the backend below from this file (scripts/cluster.py); in
# production, put the address of the nginx (or load balancer) in front of the app
# servers there, and each Varnish's purge address in EDGE_PURGE_URLS.

import std;
import var;
import xkey;

backend origin {
    .host = "127.0.0.1";
    .port = "8320";
    .connect_timeout = 2s;
    .first_byte_timeout = 35s;
    .between_bytes_timeout = 35s;
}

# Who may purge: the worker's hosts. Loopback here; add the workers' addresses.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_init {
    var.global_set("purged_at", "0");
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        # When the last purge came: a response asked for before then (perhaps rendered
        # before the change committed) is served but not kept (vcl_backend_response;
        # the time is kept to the millisecond, hence its margin there).
        var.global_set("purged_at", "" + std.time2real(now, 0.0));
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/admin" || req.url ~ "^/healthz") {
        return (pass);
    }
    # A partner's key: the API answers it under its own rate (and may differ per key).
    if (req.http.Authorization || req.http.X-Api-Key) {
        return (pass);
    }
    # Signed in, staff, or holding a CSRF token: theirs alone. Other cookies (none of
    # ours) change nothing the site answers and would make every reader a miss.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken|desk_staff)=") {
        return (pass);
    }
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.xkey && !bereq.uncacheable) {
        if (beresp.http.Set-Cookie || std.time2real(bereq.time, 0.0) <= std.real(var.global_get("purged_at"), 0.0) + 0.01) {
            # Asked for before the last purge (or setting a cookie): serve it, keep nothing.
            set beresp.ttl = 0s;
            set beresp.grace = 0s;
            set beresp.uncacheable = true;
            return (deliver);
        }
        # The TTL comes from s-maxage (Varnish reads it before max-age).
        set beresp.grace = 5s;
        set beresp.keep = 0s;
        return (deliver);
    }
    # Anything else: Varnish's own rules (static files by their max-age; `no-cache`,
    # `private` and cookies are not kept).
}

sub vcl_deliver {
    # Whether the edge answered it from its store (for operators and the tests).
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
        # The app server's id belongs to the request that rendered it: this one is ours.
        set resp.http.X-Request-ID = "edge-" + req.xid;
    } else {
        set resp.http.X-Cache = "MISS";
    }
    if (resp.http.xkey) {
        unset resp.http.xkey;
        set resp.http.Cache-Control = "public, no-cache, max-age=0";
    }
    unset resp.http.Via;
    unset resp.http.X-Varnish;
    # Age would tell readers' caches to count our time; they revalidate anyway.
    unset resp.http.Age;
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = resp.reason;
        return (deliver);
    }
}
