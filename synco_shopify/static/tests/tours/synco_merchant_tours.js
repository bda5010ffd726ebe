/**
 * The merchant's path through the addon's screens, driven by
 * synco_shopify/tests/test_merchant_tour.py (which checks the database
 * between the tours and runs the queue). A step logging
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

const LOCATIONS = ".o_field_widget[name=location_map_ids]";
const row = (name) => `${LOCATIONS} .o_data_row:contains(${name})`;
const MAIN_ROW = row("Main Warehouse");

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

tours.add("synco_shopify_setup", {
    steps: () => [
        {
            content: "Inventory settings: the Shopify block opens the shops",
            trigger: "#synco_shopify_shops button[name=action_synco_open_shops]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row td[name=name]:contains(Acme Test)",
            run: "click",
        },
        {
            content: "Test Connection against the sandbox",
            trigger: ".o_form_view button[name=action_test_connection]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=state] .o_arrow_button_current:contains(/^Connected$/)",
        },
        {
            trigger: ".o_form_view .alert-success:contains(Acme Test)",
        },
        {
            content: "Sync Locations",
            trigger: ".o_form_view button[name=action_sync_locations]",
            run: "click",
        },
        {
            trigger: `${MAIN_ROW} td[name=shopify_location_id]`,
        },
        {
            content: "Fulfillment direction: per location",
            trigger: ".o_field_widget[name=fulfillment_direction] input[data-value=per_location]",
            run: "click",
        },
        ...mapRow("Main Warehouse", "Tour Warehouse"),
        ...mapRow("3PL Partner", "Tour 3PL"),
        {
            content: "the 3PL's location is led by Shopify",
            // the row being edited: its name is an input now
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
        {
            trigger: ".o_form_view .o_form_saved",
        },
        {
            trigger: `${row("3PL Partner")}:contains(Tour 3PL):contains(Shopify-led)`,
        },
        screenshot("shop_form"),
        {
            content: "Launch Checks",
            trigger: ".o_form_view button[name=action_launch_checks]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=result_html]:contains(active locations are mapped to a warehouse)",
        },
        {
            trigger: ".modal .o_field_widget[name=result_html]:contains(Shopify answers as acme-test.myshopify.com)",
        },
        screenshot("launch_checks"),
        {
            trigger: ".modal button:contains(Close)",
            run: "click",
        },
        {
            content: "Import Order #1001",
            trigger: "body:not(:has(.modal)) .o_form_view button:contains(Import Order)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=order_ref] input",
            run: "edit 1001",
        },
        {
            trigger: ".modal button[name=action_import]",
            run: "click",
        },
        {
            trigger: ".o_notification:contains(is queued for import)",
        },
        {
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=state]",
        },
    ],
});

tours.add("synco_shopify_validate", {
    steps: () => [
        {
            content: "The imported order's delivery: validate it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=state] .o_arrow_button_current:contains(Done)",
        },
        {
            content: "its Shopify status says the push is on its way",
            trigger: ".o_form_view .oe_title .o_field_widget[name=synco_state]:contains(Pending)",
        },
    ],
});

tours.add("synco_shopify_synced", {
    steps: () => [
        {
            trigger: ".o_form_view .oe_title .o_field_widget[name=synco_state]:contains(Synced)",
        },
        {
            content: "The delivery's Shopify tab",
            trigger: ".o_form_view .o_notebook_headers a:contains(Shopify)",
            run: "click",
        },
        {
            trigger: ".o_form_view .tab-pane.active .o_field_widget[name=synco_state]:contains(Synced)",
        },
        {
            trigger: ".o_form_view .tab-pane.active a[href^='https://admin.shopify.com/store/acme-test/orders/']",
        },
        {
            trigger: ".o_form_view .tab-pane.active .o_field_widget[name=synco_fulfillment_ids] .o_data_row:contains(1ZTOUR)",
        },
        screenshot("delivery_shopify_tab"),
    ],
});

tours.add("synco_shopify_jobs", {
    steps: () => [
        {
            content: "Jobs opens on those needing attention: show them all",
            trigger: ".o_searchview_facet:contains(Needs Attention) .o_facet_remove",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Done):contains(Import)",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Done):contains(Push)",
        },
        screenshot("job_list"),
    ],
});
