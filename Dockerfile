# syntax=docker/dockerfile:1
# The base images, replaceable (--build-arg) where their registry is out of reach.
# The -aot SDK image is the SDK plus what NativeAOT links with (clang, lld, zlib's headers).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble-aot
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled

# Build: the SDK image restores and publishes the operator as one NativeAOT executable (PublishAot in the project),
# the same build scripts/operator-binary.sh makes for the integration tests.
FROM ${SDK_IMAGE} AS build
WORKDIR /src
# .editorconfig carries the analyzer settings the build (warnings as errors) depends on.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/LeakOperator/LeakOperator.csproj -c Release -r linux-x64 -o /app

# Run: runtime-deps holds only what a native .NET executable loads (libc, libstdc++, OpenSSL, CA certificates); the
# chiseled variant has no shell and no package manager, and runs as the non-root user "app" (1654). No .NET runtime:
# the executable carries its own. scripts/operator-image.sh builds this Dockerfile with buildah on locally assembled
# bases, for the real-node tests.
FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app/LeakOperator .
USER 1654:1654
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
# Probes: GET /healthz (liveness) and /readyz (readiness) on 8080. The root filesystem can be read-only;
# mount an emptyDir at /tmp (the chart does) for the runtime's diagnostics socket.
ENTRYPOINT ["/app/LeakOperator"]
CMD ["run"]
