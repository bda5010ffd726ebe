/**
 * The guided go-live of a new shop against the sandbox's demo store, then
 * the overview and a graph; driven by synco_shopify/tests/test_golive_tour.py
 * (which runs the queue between the tours). A step logging
 * "synco_screenshot:<name>" has the test save a screenshot of the page.
 */
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

function screenshot(name) {
    return {
        content: `screenshot ${name}`,
        trigger: "body:not(:has(.o_loading_indicator))",
        async run() {
            console.log(`synco_screenshot:${name}`);
            // Leave the page still while the test's browser takes the picture.
            await new Promise((resolve) => setTimeout(resolve, 800));
        },
    };
}

const GUIDE = ".o_form_view .o_synco_golive";
const LOCATIONS = ".o_field_widget[name=location_map_ids]";
const row = (name) => `${LOCATIONS} .o_data_row:contains(${name})`;

/** The guide's step is ``label`` and it says ``missing``, if given. */
function atStep(label, missing) {
    const steps = [
        {
            content: `the guide is at ${label}`,
            trigger: `${GUIDE} .o_field_widget[name=golive_step] .o_arrow_button_current:contains(${label})`,
        },
    ];
    if (missing) {
        steps.push({ trigger: `${GUIDE} .alert:contains(${missing})` });
    }
    return steps;
}

function press(button, content) {
    return { content, trigger: `${GUIDE} button[name=${button}]`, run: "click" };
}

/** Choose the warehouse a Shopify location stands for, in the shop's list. */
function mapRow(location, warehouse) {
    return [
        {
            content: `Map ${location} to ${warehouse}`,
            trigger: `${row(location)} td[name=warehouse_id]`,
            run: "click",
        },
        {
            trigger: `${LOCATIONS} .o_selected_row td[name=warehouse_id] input`,
            run: "click",
        },
        {
            trigger: `.o-autocomplete--dropdown-item a:contains(/^${warehouse}$/)`,
            run: "click",
        },
        {
            trigger: `${LOCATIONS} .o_selected_row td[name=warehouse_id] input:value(${warehouse})`,
        },
    ];
}

tours.add("synco_golive", {
    steps: () => [
        ...atStep("Connect", "Test Connection"),
        screenshot("golive_guide"),
        press("action_test_connection", "Connect: Test Connection against the sandbox"),
        ...atStep("Locations", "Sync Locations"),
        press("action_sync_locations", "Sync Locations"),
        ...atStep("Locations", "Speedy 3PL"),
        {
            content: "Fulfillment direction: per location",
            trigger: ".o_field_widget[name=fulfillment_direction] input[data-value=per_location]",
            run: "click",
        },
        ...mapRow("Main Warehouse", "Tour Warehouse"),
        ...mapRow("East Warehouse", "Tour East"),
        ...mapRow("Speedy 3PL", "Tour 3PL"),
        {
            content: "the 3PL's location is led by Shopify",
            trigger: `${LOCATIONS} .o_selected_row td[name=direction] .o_select_menu_toggler`,
            run: "click",
        },
        {
            trigger: ".o_select_menu_item:contains(Shopify-led)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        ...atStep("Carriers", "Acme Freight"),
        press("action_golive_carriers", "Carriers: the one without a Shopify name"),
        {
            trigger: ".o_list_view .o_data_row td:contains(Acme Freight)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=shopify_tracking_company] input",
            run: "edit Acme Freight Co",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "back to the shop",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Acme Go-Live)",
            run: "click",
        },
        ...atStep("Webhooks", "Register Webhooks"),
        press("action_register_webhooks", "Register Webhooks"),
        ...atStep("Open Orders", "Import Open Orders"),
        press("action_import_open_orders", "Import the orders open in Shopify"),
        {
            trigger: ".o_form_view .o_field_widget[name=since]:contains(/\\d/)",
        },
        {
            content: "since the default date (30 days): import",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_start]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=state] .o_arrow_button_current:contains(Importing)",
        },
        {
            trigger: ".o_form_view .alert-warning:contains(6 open orders found)",
        },
    ],
});

tours.add("synco_golive_orders", {
    steps: () => [
        {
            content: "the queue ran: the summary at the end",
            trigger: ".o_form_view .o_field_widget[name=state] .o_arrow_button_current:contains(Done)",
        },
        {
            trigger: ".o_form_view .alert-success:contains(6 imported, 0 needing attention)",
        },
        screenshot("open_orders_import"),
    ],
});

tours.add("synco_golive_launch", {
    steps: () => [
        ...atStep("Launch Checks", "Launch Checks"),
        press("action_launch_checks", "Launch Checks"),
        {
            trigger: ".modal .o_field_widget[name=result_html]:contains(active locations are mapped to a warehouse)",
        },
        {
            trigger: ".modal button:contains(Close)",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=state]",
        },
    ],
});

tours.add("synco_overview", {
    steps: () => [
        {
            content: "the overview: a card per shop",
            trigger: ".o_kanban_view .o_kanban_record:contains(Acme Go-Live):contains(Jobs waiting)",
        },
        screenshot("overview"),
        {
            content: "Inventory's Shopify menu: the fulfillments' graph",
            trigger: ".o_menu_sections button[data-menu-xmlid='synco_shopify.menu_synco_main']",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='synco_shopify.menu_synco_fulfillment_analysis']",
            run: "click",
        },
        {
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        screenshot("fulfillment_graph"),
    ],
});
