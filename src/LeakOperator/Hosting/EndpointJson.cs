using System.Text.Json;
using System.Text.Json.Serialization;
using LeakOperator.Diagnostics;

namespace LeakOperator.Hosting;

/// <summary>
/// The JSON the debug endpoints answer with, generated at build time: the operator ships as a NativeAOT build, where
/// JSON by reflection is not there to fall back on.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LeakReportBody))]
[JsonSerializable(typeof(TimerDumpResult))]
internal sealed partial class EndpointJson : JsonSerializerContext;
