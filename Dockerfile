# syntax=docker/dockerfile:1
# The base images, replaceable (--build-arg) where their registry is out of reach.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled

# Build: the SDK image restores and publishes the operator.
FROM ${SDK_IMAGE} AS build
WORKDIR /src
# .editorconfig carries the analyzer settings the build (warnings as errors) depends on.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/LeakOperator/LeakOperator.csproj -c Release -o /app /p:UseAppHost=false

# Run: the chiseled ASP.NET image has no shell and no package manager, and runs as the non-root user "app" (1654).
# scripts/operator-image.sh assembles the same image without Docker, for the real-node tests.
FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app .
USER 1654:1654
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_gcServer=0
EXPOSE 8080
# Probes: GET /healthz (liveness) and /readyz (readiness) on 8080. The root filesystem can be read-only;
# mount an emptyDir at /tmp (the chart does) for the runtime's diagnostics socket.
ENTRYPOINT ["dotnet", "LeakOperator.dll"]
CMD ["run"]
