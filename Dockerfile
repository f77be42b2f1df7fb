# fastsrv in a container (README "Scaling out"). Node.js 24 on Debian 13:
# uWebSockets.js 20.57 needs glibc >= 2.38 with Node.js 22 and later.
#   docker build -t fastsrv .
#   docker run -p 8080:8080 -p 9090:9090 fastsrv              # serves example/
#   FROM fastsrv + COPY --chown=node:node public/ /srv/www/   # your site
# Not built or run by the tests here (no Docker on these machines):
# test/deploy.test.ts checks that CMD, EXPOSE and HEALTHCHECK agree.
FROM node:24-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:24-trixie-slim
ENV NODE_ENV=production
WORKDIR /opt/fastsrv
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --chown=node:node example/ /srv/www/
# The image's unprivileged user (uid 1000); the ports are above 1024.
USER node
# 8080: the site. 9090: the admin listener (/healthz, /metrics); publish it
# to the orchestrator and Prometheus only, never to the public.
EXPOSE 8080 9090
# The slim image has no curl: node asks the admin listener.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9090/healthz').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) drains for --drain-timeout (5 s); docker stop waits
# 10 s by default before SIGKILL.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/fastsrv/dist/src/cli.js"]
# --workers auto counts the CPUs the container may run on (cpuset), not a
# --cpus quota: with a quota, give the number (--workers 2).
CMD ["/srv/www", "--port", "8080", "--workers", "auto", "--admin", "0.0.0.0:9090"]
