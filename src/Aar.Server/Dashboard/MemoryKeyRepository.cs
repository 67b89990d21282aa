using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Aar.Server.Dashboard;

/// <summary>
/// Keeps the data-protection keys that sign the dashboard's form tokens in this process only. Without it ASP.NET Core
/// writes them to the service user's home (~/.aspnet/DataProtection-Keys) at start, whether or not anyone opens the
/// dashboard; a restart only makes an open page's next action ask for a reload.
/// </summary>
internal sealed class MemoryKeyRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_elements)
        {
            return [.. _elements.Select(e => new XElement(e))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_elements)
        {
            _elements.Add(new XElement(element));
        }
    }
}
