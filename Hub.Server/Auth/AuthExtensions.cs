using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RealtimeHub.Server.Hosting;
using RealtimeHub.Server.OpenApi;

namespace RealtimeHub.Server.Auth;

/// <summary>
/// Registers authentication (JWT bearer through ASP.NET Core's JwtBearer, API keys) and topic access.
/// Production refuses to start without a signing key or authority; Development may run open.
/// </summary>
internal static partial class AuthExtensions
{
    /// <summary>The authorisation policy of publishing routes: the publisher or admin role.</summary>
    public const string PublisherPolicy = "publisher";

    private const string SelectorScheme = "token-or-api-key";

    public static IServiceCollection AddHubAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AuthOptions>(configuration.GetSection(AuthOptions.Section))
            .Validate<IHostEnvironment>(
                (auth, environment) => auth.Enabled || environment.IsDevelopment(),
                "Auth:SigningKey or Auth:Authority must be set outside Development; the hub will not run open in production.");
        services.AddMemoryCache();
        services.AddSingleton<TopicAccess>();
        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "JWT or API key", scheme => scheme.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyHandler.HeaderName) ? ApiKeyHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<AuthOptions>>(ConfigureJwt);
        services.AddAuthorizationBuilder().AddPolicy(PublisherPolicy, policy => policy
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.MayPublish()));
        return services;
    }

    /// <summary>Adds authentication and authorisation to the pipeline and warns when the hub runs open.</summary>
    public static WebApplication UseHubAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        if (!app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Enabled)
        {
            LogRunningOpen(app.Logger);
        }

        return app;
    }

    /// <summary>
    /// Requires an authenticated caller (or <paramref name="policy"/>) on <paramref name="endpoints"/>, unless
    /// the hub runs open; either way the routes are documented with their credentials and their 401 and 403.
    /// </summary>
    public static TBuilder RequireCaller<TBuilder>(this TBuilder endpoints, IEndpointRouteBuilder routes, string? policy = null)
        where TBuilder : IEndpointConventionBuilder
    {
        endpoints.WithMetadata(CallerRequired.Instance).ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        if (routes.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value.Enabled)
        {
            _ = policy is null ? endpoints.RequireAuthorization() : endpoints.RequireAuthorization(policy);
        }

        return endpoints;
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, IOptions<AuthOptions> options)
    {
        var auth = options.Value;
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters.NameClaimType = "sub";
        jwt.TokenValidationParameters.RoleClaimType = "role";
        jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(5);
        jwt.TokenValidationParameters.ValidateAudience = auth.Audience is not null;
        jwt.TokenValidationParameters.ValidAudience = auth.Audience;
        if (!string.IsNullOrEmpty(auth.SigningKey))
        {
            jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.SigningKey));
            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            jwt.TokenValidationParameters.ValidateIssuer = auth.Issuer is not null;
            jwt.TokenValidationParameters.ValidIssuer = auth.Issuer;
        }
        else if (!string.IsNullOrEmpty(auth.Authority))
        {
            jwt.Authority = auth.Authority;
            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
        }

        // EventSource cannot send headers, so browsers pass the token in the query (the enrichment stream's ?token=).
        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                if (string.IsNullOrEmpty(context.Request.Headers.Authorization))
                {
                    var request = context.Request;
                    context.Token = QueryParameters.Get(request, "access_token").FirstOrDefault() ?? QueryParameters.Get(request, "token").FirstOrDefault();
                }

                return Task.CompletedTask;
            },
        };
    }

    [LoggerMessage(1, LogLevel.Warning, "Auth is off: neither Auth:SigningKey nor Auth:Authority is set, so every caller may read and publish every topic. Development only.")]
    private static partial void LogRunningOpen(ILogger logger);
}
