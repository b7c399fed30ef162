# syntax=docker/dockerfile:1
# Build: the SDK image restores and publishes the operator.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/LeakOperator/LeakOperator.csproj -c Release -o /app /p:UseAppHost=false

# Run: the chiseled ASP.NET image has no shell and no package manager, and runs as the non-root user "app" (1654).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
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
