using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using k8s;
using k8s.Models;
using LeakOperator.Controller.Resources;

namespace LeakOperator.TestSupport.FakeApi;

/// <summary>What a request asked the fake for.</summary>
public enum ApiVerb
{
    List,
    Watch,
    Get,
    Replace,
    ReplaceStatus,
    Delete,
    Unknown,
}

/// <summary>One request the fake answered, with the status it answered (a watch: its headers' status).</summary>
public sealed record ApiRequest(ApiVerb Verb, ObjectKey? Key, string Query, string? Body, HttpStatusCode Status)
{
    /// <summary>A query parameter; null when the request did not send it.</summary>
    public string? Parameter(string name) => HttpUtility.ParseQueryString(Query)[name];

    public T BodyAs<T>() => KubernetesJson.Deserialize<T>(Body ?? throw new InvalidOperationException($"{Verb} {Key} had no body"));
}

/// <summary>
/// An in-process API server for one custom resource (all namespaces), whichever its type and definition are (Widget
/// in the controller runtime's tests, LeakTest in the operator's), put where the socket handler would be at the end of
/// a real <see cref="Kubernetes"/> client's pipeline: the client, its serializer and its errors are the real ones, and
/// only the bytes never leave the process. It serves what a controller uses: LIST with a resourceVersion, WATCH from
/// a version (replaying what came after it, then streaming), GET, PUT of the object and of /status with optimistic
/// concurrency (409 on a stale resourceVersion), and DELETE with finalizers. The test changes objects through the
/// methods below, as another client would; every change is a watch event.
/// </summary>
/// <remarks>
/// Server rules kept because controllers rely on them: generation goes up only when something other than metadata and
/// status changes; a PUT of the object keeps the stored status and a PUT of /status keeps everything else; uid,
/// creationTimestamp, generation and deletionTimestamp are the server's; an object with finalizers is only marked
/// deleted, and goes once its last finalizer is removed.
/// </remarks>
public sealed class FakeApiServer<T> : DelegatingHandler
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ResourceDefinition _definition;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, JsonObject> _objects = [];
    private readonly List<(long Version, string Line)> _history = [];
    private readonly List<WatchStream> _watches = [];
    private readonly List<ApiRequest> _requests = [];
    private readonly Dictionary<ApiVerb, Queue<(Action? Before, HttpStatusCode? Status)>> _next = [];
    private long _version;
    private long _compactedBelow;
    private bool _goneAsHttpStatus;
    private TaskCompletionSource? _watchHold;
    private int _uids;

    public FakeApiServer(ResourceDefinition definition, TimeProvider? time = null)
    {
        _definition = definition;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Every request answered so far, in the order answered.</summary>
    public IReadOnlyList<ApiRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Watches the server is streaming to now.</summary>
    public int OpenWatches
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>The next request of <paramref name="verb"/> is answered with <paramref name="status"/> and changes nothing.</summary>
    public void FailNext(ApiVerb verb, HttpStatusCode status) => Intercept(verb, null, status);

    /// <summary>
    /// <paramref name="change"/> happens just before the next request of <paramref name="verb"/> is served, as another
    /// client's write that gets in first: a PUT then meets a real 409, from the version check.
    /// </summary>
    public void BeforeNext(ApiVerb verb, Action change) => Intercept(verb, change, null);

    /// <summary>Creates an object as another client would (ADDED); returns what the server stored.</summary>
    public T Create(T obj)
    {
        lock (_gate)
        {
            var node = ToNode(obj);
            var meta = Meta(node);
            meta["namespace"] ??= "default";
            var key = KeyOf(node);
            if (_objects.ContainsKey(key))
            {
                throw new InvalidOperationException($"{key} already exists");
            }

            meta["uid"] = $"uid-{++_uids}";
            meta["creationTimestamp"] = Now();
            meta["generation"] = 1L;
            meta.Remove("deletionTimestamp");
            Commit(key, node, "ADDED");
            return FromNode(node);
        }
    }

    /// <summary>Changes an object as another client would (MODIFIED), whatever its resourceVersion; returns the result.</summary>
    public T Update(ObjectKey key, Action<T> change)
    {
        lock (_gate)
        {
            var stored = _objects.GetValueOrDefault(key) ?? throw new InvalidOperationException($"{key} does not exist");
            var changed = FromNode(stored);
            change(changed);
            return FromNode(Write(key, stored, ToNode(changed), status: false));
        }
    }

    /// <summary>Deletes an object as kubectl would: marked (deletionTimestamp) while it has finalizers, else gone.</summary>
    public void Delete(ObjectKey key)
    {
        lock (_gate)
        {
            _ = DeleteObject(key) ?? throw new InvalidOperationException($"{key} does not exist");
        }
    }

    /// <summary>Removes an object at once, finalizers or not (DELETED): as if someone stripped them and deleted it.</summary>
    public void DeleteIgnoringFinalizers(ObjectKey key)
    {
        lock (_gate)
        {
            var stored = _objects.GetValueOrDefault(key) ?? throw new InvalidOperationException($"{key} does not exist");
            Commit(key, stored, "DELETED");
        }
    }

    /// <summary>The stored object; null if there is none.</summary>
    public T? Get(ObjectKey key)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(key, out var stored) ? FromNode(stored) : null;
        }
    }

    /// <summary>
    /// The watch history is compacted past its clients: every open watch ends, <paramref name="missedChanges"/> happen
    /// while no watch can start (so nobody sees them as events), and a watch from any version before them is then
    /// answered 410 Gone, as etcd compaction makes the API server do. The 410 comes as an ERROR event in a 200 stream
    /// (the API server's usual answer) or, with <paramref name="goneAsHttpStatus"/>, as the response status itself.
    /// </summary>
    public void ExpireWatches(Action missedChanges, bool goneAsHttpStatus = false)
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long before;
        bool changed;
        lock (_gate)
        {
            _watchHold = hold;
            foreach (var watch in _watches)
            {
                watch.End();
            }

            _watches.Clear();
            before = _version;
        }

        try
        {
            missedChanges();
        }
        finally
        {
            lock (_gate)
            {
                _compactedBelow = _version;
                _goneAsHttpStatus = goneAsHttpStatus;
                _watchHold = null;
                changed = _version > before;
            }

            hold.SetResult();
        }

        if (!changed)
        {
            throw new InvalidOperationException("nothing changed while the watches were away: no version is too old");
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var uri = request.RequestUri ?? throw new InvalidOperationException("a request without a URI");
        var (verb, key) = Route(request.Method, uri);
        var query = HttpUtility.ParseQueryString(uri.Query);
        var (before, fault) = TakeInterception(verb);
        before?.Invoke();
        var response = fault is { } status
            ? Failure(status, status.ToString(), $"the test told the fake to answer this {verb} with {(int)status}")
            : verb switch
            {
                ApiVerb.Watch => await WatchAsync(query["resourceVersion"], cancellationToken),
                _ => Serve(verb, key, body),
            };

        response.RequestMessage = request;
        lock (_gate)
        {
            _requests.Add(new ApiRequest(verb, key, uri.Query, body, response.StatusCode));
        }

        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                foreach (var watch in _watches)
                {
                    watch.End();
                }

                _watches.Clear();
            }
        }

        base.Dispose(disposing);
    }

    private (ApiVerb Verb, ObjectKey? Key) Route(HttpMethod method, Uri uri)
    {
        // /apis/{group}/{version}/{plural} or /apis/{group}/{version}/namespaces/{ns}/{plural}/{name}[/status]
        var s = uri.AbsolutePath.Trim('/').Split('/');
        if (s.Length < 4 || s[0] != "apis" || s[1] != _definition.Group || s[2] != _definition.Version)
        {
            return (ApiVerb.Unknown, null);
        }

        if (s.Length == 4 && s[3] == _definition.Plural && method == HttpMethod.Get)
        {
            bool watch = HttpUtility.ParseQueryString(uri.Query)["watch"] == "true";
            return (watch ? ApiVerb.Watch : ApiVerb.List, null);
        }

        if (s.Length is 7 or 8 && s[3] == "namespaces" && s[5] == _definition.Plural)
        {
            var key = new ObjectKey(s[4], s[6]);
            bool status = s.Length == 8 && s[7] == "status";
            return (method.Method, status) switch
            {
                ("GET", false) => (ApiVerb.Get, key),
                ("PUT", false) => (ApiVerb.Replace, key),
                ("PUT", true) => (ApiVerb.ReplaceStatus, key),
                ("DELETE", false) => (ApiVerb.Delete, key),
                _ => (ApiVerb.Unknown, key),
            };
        }

        return (ApiVerb.Unknown, null);
    }

    private HttpResponseMessage Serve(ApiVerb verb, ObjectKey? key, string? body)
    {
        lock (_gate)
        {
            switch (verb)
            {
                case ApiVerb.List:
                    var items = new JsonArray([.. _objects.OrderBy(o => o.Key.ToString(), StringComparer.Ordinal).Select(o => o.Value.DeepClone())]);
                    return Json(HttpStatusCode.OK, new JsonObject
                    {
                        ["apiVersion"] = _definition.ApiVersion,
                        ["kind"] = $"{_definition.Kind}List",
                        ["metadata"] = new JsonObject { ["resourceVersion"] = Version(_version) },
                        ["items"] = items,
                    });
                case ApiVerb.Get when _objects.TryGetValue(key!.Value, out var stored):
                    return Json(HttpStatusCode.OK, stored.DeepClone());
                case ApiVerb.Replace or ApiVerb.ReplaceStatus when _objects.TryGetValue(key!.Value, out var stored):
                    var sent = JsonNode.Parse(body ?? "")?.AsObject() ?? throw new InvalidOperationException("a PUT without an object");
                    string? sentVersion = Meta(sent)["resourceVersion"]?.GetValue<string>();
                    if (sentVersion != Meta(stored)["resourceVersion"]?.GetValue<string>())
                    {
                        return Failure(
                            HttpStatusCode.Conflict,
                            "Conflict",
                            $"Operation cannot be fulfilled on {_definition} \"{key.Value.Name}\": the object has been modified; "
                            + "please apply your changes to the latest version and try again");
                    }

                    return Json(HttpStatusCode.OK, Write(key.Value, stored, sent, status: verb == ApiVerb.ReplaceStatus).DeepClone());
                case ApiVerb.Delete when DeleteObject(key!.Value) is { } deleted:
                    return Json(HttpStatusCode.OK, deleted.DeepClone());
                case ApiVerb.Get or ApiVerb.Replace or ApiVerb.ReplaceStatus or ApiVerb.Delete:
                    return Failure(HttpStatusCode.NotFound, "NotFound", $"{_definition} \"{key!.Value.Name}\" not found");
                default:
                    return Failure(HttpStatusCode.NotFound, "NotFound", $"the fake serves only {_definition}");
            }
        }
    }

    private async Task<HttpResponseMessage> WatchAsync(string? resourceVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task hold;
            lock (_gate)
            {
                if (_watchHold is null)
                {
                    return StartWatch(resourceVersion);
                }

                hold = _watchHold.Task;
            }

            await hold.WaitAsync(cancellationToken);
        }
    }

    private HttpResponseMessage StartWatch(string? resourceVersion)
    {
        long from = long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v > 0 ? v : _version;
        if (from < _compactedBelow && _goneAsHttpStatus)
        {
            return Failure(HttpStatusCode.Gone, "Expired", $"too old resource version: {from} ({_compactedBelow})");
        }

        var stream = new WatchStream(Closed);
        if (from < _compactedBelow)
        {
            var gone = StatusBody(HttpStatusCode.Gone, "Expired", $"too old resource version: {from} ({_compactedBelow})");
            stream.Send(new JsonObject { ["type"] = "ERROR", ["object"] = gone }.ToJsonString());
            stream.End();
        }
        else
        {
            foreach (var (version, line) in _history.Where(h => h.Version > from))
            {
                stream.Send(line);
            }

            _watches.Add(stream);
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(stream) };
    }

    private void Closed(WatchStream stream)
    {
        lock (_gate)
        {
            _watches.Remove(stream);
        }
    }

    /// <summary>Stores <paramref name="sent"/> over <paramref name="stored"/> under the server's rules (see remarks).</summary>
    private JsonObject Write(ObjectKey key, JsonObject stored, JsonObject sent, bool status)
    {
        JsonObject next;
        if (status)
        {
            next = stored.DeepClone().AsObject();
            next["status"] = sent["status"]?.DeepClone();
        }
        else
        {
            next = sent.DeepClone().AsObject();
            next["status"] = stored["status"]?.DeepClone();
        }

        var (before, after) = (Meta(stored), Meta(next));
        foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp" })
        {
            after[field] = before[field]?.DeepClone();
        }

        if (!status && SpecChanged(stored, next))
        {
            after["generation"] = before["generation"]!.GetValue<long>() + 1;
        }

        bool finalized = after["deletionTimestamp"] is not null && after["finalizers"] is not JsonArray { Count: > 0 };
        Commit(key, next, finalized ? "DELETED" : "MODIFIED");
        return next;
    }

    /// <returns>The object as it is after the delete (marked or gone); null if there was none.</returns>
    private JsonObject? DeleteObject(ObjectKey key)
    {
        if (!_objects.TryGetValue(key, out var stored))
        {
            return null;
        }

        var next = stored.DeepClone().AsObject();
        var meta = Meta(next);
        if (meta["finalizers"] is JsonArray { Count: > 0 })
        {
            if (meta["deletionTimestamp"] is null)
            {
                meta["deletionTimestamp"] = Now();
                Commit(key, next, "MODIFIED");
            }
        }
        else
        {
            Commit(key, next, "DELETED");
        }

        return next;
    }

    /// <summary>The one way anything changes: a new resourceVersion, the store, the history, and every open watch.</summary>
    private void Commit(ObjectKey key, JsonObject obj, string type)
    {
        _version++;
        Meta(obj)["resourceVersion"] = Version(_version);
        if (type == "DELETED")
        {
            _objects.Remove(key);
        }
        else
        {
            _objects[key] = obj;
        }

        string line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();
        _history.Add((_version, line));
        foreach (var watch in _watches)
        {
            watch.Send(line);
        }
    }

    private void Intercept(ApiVerb verb, Action? before, HttpStatusCode? status)
    {
        lock (_gate)
        {
            if (!_next.TryGetValue(verb, out var queue))
            {
                _next[verb] = queue = new Queue<(Action?, HttpStatusCode?)>();
            }

            queue.Enqueue((before, status));
        }
    }

    private (Action? Before, HttpStatusCode? Status) TakeInterception(ApiVerb verb)
    {
        lock (_gate)
        {
            return _next.TryGetValue(verb, out var queue) && queue.TryDequeue(out var next) ? next : (null, null);
        }
    }

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Generation counts changes to what is neither metadata nor status (the spec, for a custom resource).</summary>
    private static bool SpecChanged(JsonObject before, JsonObject after)
    {
        static JsonObject Rest(JsonObject o)
        {
            var copy = o.DeepClone().AsObject();
            copy.Remove("metadata");
            copy.Remove("status");
            return copy;
        }

        return !JsonNode.DeepEquals(Rest(before), Rest(after));
    }

    private static ObjectKey KeyOf(JsonObject obj) =>
        new(Meta(obj)["namespace"]!.GetValue<string>(), Meta(obj)["name"]!.GetValue<string>());

    private static JsonObject Meta(JsonObject obj) =>
        obj["metadata"] as JsonObject ?? throw new InvalidOperationException("an object without metadata");

    private static string Version(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static JsonObject ToNode(T obj) => JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject();

    private static T FromNode(JsonObject node) => KubernetesJson.Deserialize<T>(node.ToJsonString());

    private static JsonObject StatusBody(HttpStatusCode code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = (int)code,
    };

    private static HttpResponseMessage Failure(HttpStatusCode code, string reason, string message) =>
        Json(code, StatusBody(code, reason, message));

    private static HttpResponseMessage Json(HttpStatusCode code, JsonNode body) =>
        new(code) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
}
