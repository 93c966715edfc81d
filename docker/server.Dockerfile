# hydra-server: web UI, API, binary cache, evaluator and queue (roles via Hydra__Roles).
# Build from the repository root: docker build -f docker/server.Dockerfile .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Hydra.Web/Hydra.Web.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# Nix evaluates jobsets and handles store paths; git fetches jobset inputs; curl serves the
# health check. The package names are the same on Debian and Ubuntu bases.
# Nix runs as root against the container's own store (/nix, a volume in docker-compose.yml):
# no daemon, no substituters from the internet, no sandbox, no build users.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nix-bin git curl zstd xz-utils ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /etc/nix \
 && printf '%s\n' 'experimental-features = nix-command' 'substituters =' 'sandbox = false' \
      'build-users-group =' >/etc/nix/nix.conf

ENV NIX_REMOTE=local \
    Hydra__DataDir=/var/lib/hydra \
    ASPNETCORE_URLS=http://+:3000 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1

WORKDIR /app
COPY --from=build /app .
VOLUME ["/var/lib/hydra", "/nix"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD curl -fsS http://localhost:3000/health || exit 1
ENTRYPOINT ["dotnet", "/app/hydra-server.dll"]
CMD ["serve"]
